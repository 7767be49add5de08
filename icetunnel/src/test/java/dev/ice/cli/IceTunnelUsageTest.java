package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines and configuration exit 2 with one line naming the value and the fix; keys never show. */
class IceTunnelUsageTest {

    private static final String KEY = "hex:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return IceTunnel.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void badListenValueExitsTwoNamingTheValue() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "client", "--listen", "localhost:http",
            "--connect", "127.0.0.1:9443");

        assertEquals(2, status);
        assertTrue(err.toString().contains("--listen 'localhost:http'"), err.toString());
        assertTrue(err.toString().contains("HOST:PORT"), err.toString());
    }

    @Test
    void missingKeyExitsTwoNamingTheVariables() {
        int status = run(Map.of(), "server", "--listen", "127.0.0.1:0", "--forward", "127.0.0.1:8080");

        assertEquals(2, status);
        assertTrue(err.toString().contains("ICE_PRESHARED_KEY"), err.toString());
    }

    @Test
    void threeByteHexKeyExitsTwoWithoutShowingTheKey() {
        int status = run(Map.of("ICE_PRESHARED_KEY", "hex:c0ffee"), "server", "--listen", "127.0.0.1:0",
            "--forward", "127.0.0.1:8080");

        assertEquals(2, status);
        assertTrue(err.toString().contains("3 bytes"), err.toString());
        assertFalse(err.toString().contains("c0ffee"), err.toString());
    }

    @Test
    void nonHexKeyExitsTwoWithoutShowingTheKey() {
        int status = run(Map.of("ICE_PRESHARED_KEY", "hex:zz112233445566778899aabbccddeeff"), "client",
            "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:9443");

        assertEquals(2, status);
        assertTrue(err.toString().contains("non-hex character at position 1"), err.toString());
        assertFalse(err.toString().contains("zz1122"), err.toString());
    }

    @Test
    void missingRequiredOptionExitsTwo() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "client", "--listen", "127.0.0.1:0");

        assertEquals(2, status);
        assertTrue(err.toString().contains("--connect"), err.toString());
    }

    @Test
    void proxyProtocolWithoutTrustedSourcesExitsTwoNamingBothOptions() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "server", "--listen", "127.0.0.1:0",
            "--forward", "127.0.0.1:8080", "--proxy-protocol", "require");

        assertEquals(2, status);
        assertTrue(err.toString().contains("--proxy-protocol 'require' needs --proxy-trusted"), err.toString());
    }

    @Test
    void badTrustedSourceExitsTwoNamingTheEntry() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "server", "--listen", "127.0.0.1:0",
            "--forward", "127.0.0.1:8080", "--proxy-protocol", "accept", "--proxy-trusted", "10.0.0.1/40");

        assertEquals(2, status);
        assertTrue(err.toString().contains("--proxy-trusted entry '10.0.0.1/40': the prefix length must be 0-32"),
            err.toString());
    }

    @Test
    void clientTunnelHasNoProxyProtocolOptions() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "client", "--listen", "127.0.0.1:0",
            "--connect", "127.0.0.1:9443", "--send-proxy-v2");

        assertEquals(2, status);
        assertTrue(err.toString().contains("--send-proxy-v2"), err.toString());
    }

    @Test
    void badDurationExitsTwoNamingTheValue() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "client", "--listen", "127.0.0.1:0",
            "--connect", "127.0.0.1:9443", "--handshake-timeout", "soon");

        assertEquals(2, status);
        assertTrue(err.toString().contains("'soon' is not a duration"), err.toString());
    }

    @Test
    void plainPskWithoutTls12ExitsTwo() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "server", "--listen", "127.0.0.1:0",
            "--forward", "127.0.0.1:8080", "--unsafe-tls12-plain-psk");

        assertEquals(2, status);
        assertTrue(err.toString().contains("--tls12"), err.toString());
    }

    @Test
    void listenAddressInUseExitsOneNamingTheAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            int status = run(Map.of("ICE_PRESHARED_KEY", KEY), "server", "--listen",
                "127.0.0.1:" + taken.getLocalPort(), "--forward", "127.0.0.1:8080");

            assertEquals(1, status);
            assertTrue(err.toString().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), err.toString());
        }
    }

    @Test
    void keyGeneratePrintsAFreshThirtyTwoByteHexKey() {
        assertEquals(0, run(Map.of(), "key", "generate"));
        String first = out.toString().strip();
        out.getBuffer().setLength(0);
        assertEquals(0, run(Map.of(), "key", "generate"));
        String second = out.toString().strip();

        assertTrue(first.matches("hex:[0-9a-f]{64}"), first);
        assertFalse(first.equals(second), "two generated keys were equal");
    }

    @Test
    void keyDeriveGivesTheRawKeyForOpensslPeers() {
        assertEquals(0, run(Map.of("ICE_PRESHARED_KEY", KEY), "key", "derive"));

        assertEquals(KEY.substring(4), out.toString().strip());
    }

    @Test
    void keyDeriveStretchesAPassphraseTheSameWayEachTime() {
        Map<String, String> env = Map.of("ICE_PRESHARED_KEY", "a long passphrase shared by the whole plane");
        assertEquals(0, run(env, "key", "derive"));
        String first = out.toString().strip();
        out.getBuffer().setLength(0);
        assertEquals(0, run(env, "key", "derive"));

        assertTrue(first.matches("[0-9a-f]{64}"), first);
        assertEquals(first, out.toString().strip());
    }

    @Test
    void keyGenerateWithAnIdentityPrintsAKeyFileLine() {
        // Proves: the output of generate --identity is a line a key file takes as it is.
        assertEquals(0, run(Map.of(), "key", "generate", "--identity", "ice-2027"));

        assertTrue(out.toString().strip().matches("ice-2027:hex:[0-9a-f]{64}"), out.toString());
    }

    @Test
    void keyGenerateRefusesAnIdentityAKeyFileCouldNotHold() {
        // Proves: an identity that would read as a key, or split a line, is refused with the fix.
        assertEquals(2, run(Map.of(), "key", "generate", "--identity", "hex"));

        assertTrue(err.toString().contains("--identity 'hex'"), err.toString());
    }

    @Test
    void keyDerivePrintsEachLineOfAKeyFileWithItsIdentity(@TempDir Path dir) throws IOException {
        // Proves: derive over a rotating key file gives identity:hex per key, in order, as stunnel's PSKsecrets
        // reads them.
        Path file = dir.resolve("psk");
        Files.writeString(file, "new:" + KEY + "\nold:hex:ffeeddccbbaa99887766554433221100\n");

        assertEquals(0, run(Map.of("ICE_PRESHARED_KEY_FILE", file.toString()), "key", "derive"));

        assertEquals(List.of("new:" + KEY.substring(4), "old:ffeeddccbbaa99887766554433221100"),
            out.toString().lines().toList());
    }

    @Test
    void misspeltLogLevelExitsTwoNamingTheVariable() {
        int status = run(Map.of("ICE_PRESHARED_KEY", KEY, "ICE_LOG_LEVEL", "LOUD"), "key", "derive");

        assertEquals(2, status);
        assertTrue(err.toString().contains("ICE_LOG_LEVEL 'LOUD' is not a log level"), err.toString());
    }

    @Test
    void versionNamesTheProgram() {
        assertEquals(0, run(Map.of(), "--version"));

        assertTrue(out.toString().startsWith("icetunnel "), out.toString());
    }
}
