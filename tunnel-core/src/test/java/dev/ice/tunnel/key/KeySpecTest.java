package dev.ice.tunnel.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeySpecTest {

    private static final String HEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private final List<String> warnings = new ArrayList<>();

    @Test
    void hexKeyIsUsedAsTheRawKey() {
        PresharedKey key = KeySpec.parse("hex:" + HEX_KEY, "ice", "ICE_PRESHARED_KEY", warnings::add);

        assertArrayEquals(HexFormat.of().parseHex(HEX_KEY), key.keyBytes());
        assertEquals("ice", key.identity());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void base64KeyIsUsedAsTheRawKey() {
        PresharedKey key = KeySpec.parse("base64:ABEiM0RVZneImaq7zN3u/w==", "ice", "ICE_PRESHARED_KEY",
            warnings::add);

        assertArrayEquals(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"), key.keyBytes());
    }

    @Test
    void threeByteHexKeyIsRefusedWithTheLengthAndTheFix() {
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeySpec.parse("hex:a1b2c3", "ice", "ICE_PRESHARED_KEY", warnings::add));

        assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("icetunnel key generate"), e.getMessage());
        assertFalse(e.getMessage().contains("a1b2c3"), "the key must not appear in the message");
    }

    @Test
    void nonHexCharacterIsRefusedWithItsPositionButNotTheKey() {
        String key = "hex:0011223344556677889g";
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeySpec.parse(key, "ice", "ICE_PRESHARED_KEY", warnings::add));

        assertTrue(e.getMessage().contains("position 20"), e.getMessage());
        assertFalse(e.getMessage().contains("889g"), "the key must not appear in the message");
    }

    @Test
    void oddNumberOfHexDigitsIsRefused() {
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeySpec.parse("hex:" + HEX_KEY + "f", "ice", "ICE_PRESHARED_KEY", warnings::add));

        assertTrue(e.getMessage().contains("odd number"), e.getMessage());
    }

    @Test
    void invalidBase64IsRefused() {
        assertThrows(PresharedKeyException.class,
            () -> KeySpec.parse("base64:not*base64", "ice", "ICE_PRESHARED_KEY", warnings::add));
    }

    @Test
    void passphraseIsStretchedTheSameWayEverywhereAndSaltedByIdentity() {
        String passphrase = "correct horse battery staple, ICE edition";
        PresharedKey first = KeySpec.parse(passphrase, "ice", "ICE_PRESHARED_KEY", warnings::add);
        PresharedKey again = KeySpec.parse(passphrase, "ice", "ICE_PRESHARED_KEY", warnings::add);
        PresharedKey otherIdentity = KeySpec.parse(passphrase, "billing", "ICE_PRESHARED_KEY", warnings::add);

        assertEquals(32, first.keyLength());
        assertArrayEquals(first.keyBytes(), again.keyBytes());
        assertFalse(java.util.Arrays.equals(first.keyBytes(), otherIdentity.keyBytes()));
        assertTrue(warnings.isEmpty());
    }

    @Test
    void shortPassphraseWorksButIsWarnedAbout() {
        KeySpec.parse("hunter2", "ice", "ICE_PRESHARED_KEY", warnings::add);

        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("7 characters"), warnings.get(0));
        assertFalse(warnings.get(0).contains("hunter2"), "the passphrase must not appear in the warning");
    }

    @Test
    void keyPrefixesAreReadInAnyCase() {
        PresharedKey upper = KeySpec.parse("HEX:" + HEX_KEY.toUpperCase(), "ice", "ICE_PRESHARED_KEY", warnings::add);

        assertArrayEquals(HexFormat.of().parseHex(HEX_KEY), upper.keyBytes());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void bareHexIsAPassphraseButTheUserIsToldHowToMeanARawKey() {
        KeySpec.parse(HEX_KEY, "ice", "ICE_PRESHARED_KEY", warnings::add);

        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("write it as hex:<digits>"), warnings.get(0));
        assertFalse(warnings.get(0).contains(HEX_KEY), "the key must not appear in the warning");
    }

    @Test
    void keyNeverAppearsInToString() {
        PresharedKey key = KeySpec.parse("hex:" + HEX_KEY, "ice", "ICE_PRESHARED_KEY", warnings::add);

        assertFalse(key.toString().contains("00112233"), key.toString());
    }

    @Test
    void keyFileWinsOverTheVariable(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("psk");
        Files.writeString(file, "\n  hex:" + HEX_KEY + "  \n");
        Map<String, String> env = Map.of("ICE_PRESHARED_KEY", "hex:ffffffffffffffffffffffffffffffff",
            "ICE_PRESHARED_KEY_FILE", file.toString(), "ICE_PSK_IDENTITY", "orders");

        PresharedKey key = KeySource.fromEnvironment(env, warnings::add);

        assertArrayEquals(HexFormat.of().parseHex(HEX_KEY), key.keyBytes());
        assertEquals("orders", key.identity());
    }

    @Test
    void missingKeyNamesBothVariables() {
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeySource.fromEnvironment(Map.of(), warnings::add));

        assertTrue(e.getMessage().contains("ICE_PRESHARED_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("ICE_PRESHARED_KEY_FILE"), e.getMessage());
    }

    @Test
    void unreadableKeyFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeySource.fromEnvironment(Map.of("ICE_PRESHARED_KEY_FILE", missing.toString()), warnings::add));

        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
