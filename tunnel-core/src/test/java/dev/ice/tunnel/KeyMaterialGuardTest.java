package dev.ice.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The log scan that guards the whole suite: it must see keys in every form, and pass ICE's ordinary lines. */
class KeyMaterialGuardTest {

    private static final byte[] KEY = HexFormat.of().parseHex("5ab1e0c3d2f4a6b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e");

    @Test
    void keysInEveryFormAreRecognised() {
        // Proves: the scan finds a raw key as hex (bare or hex:), as base64 (bare or base64:), and the suite's
        // passphrases.
        String hex = HexFormat.of().formatHex(KEY);
        String base64 = Base64.getEncoder().encodeToString(KEY);
        for (String line : List.of("key " + hex, "hex:" + hex, "k=" + base64, "base64:" + base64,
            "phrase correct horse battery staple, ICE edition", "ICE_PRESHARED_KEY=hunter2")) {
            assertTrue(KeyMaterial.find(line).isPresent(), line);
        }
    }

    @Test
    void iceOrdinaryLogLinesAreNotMistakenForKeys() {
        // Proves: the scan stays quiet on the lines ICE really logs, so that a finding means something.
        for (String line : List.of(
            "c7 open client 10.0.0.5:51000 -> backend:8443 TLSv1.3 TLS_AES_128_GCM_SHA256",
            "c12 close server token rejected (token 2 arrived where 1 was expected: reordered, replayed or dropped)",
            "c8 server from [2001:db8::41]:40406 to 127.0.0.1:8080: wrong key (sent alert decrypt_error) after 4 ms",
            "key file /var/run/secrets/ice/..2026_12_03_17_04_19.123456789/psk reloaded on request: offering "
                + "'ice-2027', accepting [ice-2027, ice-2026]",
            "at dev.ice.tunnel.relay.FernetTamperingTest.aStreamCutBeforeItsEndTokenIsTruncation(Fernet.java:12)")) {
            assertFalse(KeyMaterial.find(line).isPresent(), line);
        }
    }

    @Test
    void aKeyLoggedAnywhereIsCaughtByTheGuard() {
        // Proves: the appender the suite runs with sees a key in a message or in an exception's message, and
        // its finding does not repeat the key.
        String hex = HexFormat.of().formatHex(KEY);
        LoggerFactory.getLogger("ice.test").warn("careless {}", hex);
        LoggerFactory.getLogger("ice.test").warn("failed", new IllegalStateException("bad key " + hex));

        List<String> findings = KeyMaterialGuard.drain();

        assertEquals(2, findings.size(), findings.toString());
        assertFalse(findings.toString().contains(hex.substring(0, 12)), findings.toString());
    }
}
