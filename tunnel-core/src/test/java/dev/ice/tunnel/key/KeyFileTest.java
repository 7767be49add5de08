package dev.ice.tunnel.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    private static final String OLD_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String NEW_HEX = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    private final List<String> warnings = new ArrayList<>();

    @Test
    void linesAreKeysInOrderUnderTheirOwnIdentities() {
        // Proves: the first line is the offered key, every line is held, comments and blank lines are skipped.
        String text = "# rotation in progress\n\nice-2027:hex:" + NEW_HEX
            + "\n  ice-2026:base64:ABEiM0RVZneImaq7zN3u/w==\n";

        KeyRing ring = KeyFile.parse(text, "psk", "ice", warnings::add);

        assertEquals(List.of("ice-2027", "ice-2026"), ring.identities());
        assertArrayEquals(HexFormat.of().parseHex(NEW_HEX), ring.offered().keyBytes());
        assertArrayEquals(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"),
            ring.find("ice-2026".getBytes()).orElseThrow().keyBytes());
        assertTrue(ring.find("ice".getBytes()).isEmpty());
    }

    @Test
    void aSingleLineWithoutIdentityIsTodaysFileUnderTheDefaultIdentity() {
        // Proves: files written for one key before key rings existed mean what they meant.
        KeyRing hex = KeyFile.parse("hex:" + OLD_HEX + "\n", "psk", "orders", warnings::add);
        KeyRing phrase = KeyFile.parse("a passphrase long enough to pass\n", "psk", "orders", warnings::add);

        assertEquals(List.of("orders"), hex.identities());
        assertArrayEquals(HexFormat.of().parseHex(OLD_HEX), hex.offered().keyBytes());
        assertEquals(List.of("orders"), phrase.identities());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void aPassphraseIsSaltedWithItsLinesIdentity() {
        // Proves: the same passphrase under two identities gives two keys, and the identity's line form matches
        // the single-key form under the same identity.
        String phrase = "correct horse battery staple";
        KeyRing lines = KeyFile.parse("a:" + phrase + "\nb:" + phrase, "psk", "ice", warnings::add);
        KeyRing single = KeyFile.parse(phrase, "psk", "a", warnings::add);

        assertFalse(java.util.Arrays.equals(lines.keys().get(0).keyBytes(), lines.keys().get(1).keyBytes()));
        assertArrayEquals(single.offered().keyBytes(), lines.offered().keyBytes());
    }

    @Test
    void aLineWithoutIdentityAmongSeveralIsRefusedByLineNumber() {
        // Proves: a ring's lines must each say which identity they are, and the error points at the line.
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeyFile.parse("ice-2027:hex:" + NEW_HEX + "\nhex:" + OLD_HEX, "psk", "ice", warnings::add));

        assertTrue(e.getMessage().contains("key file psk line 2 names no identity"), e.getMessage());
        assertNoKeyIn(e.getMessage());
    }

    @Test
    void twoKeysUnderOneIdentityAreRefused() {
        // Proves: a server could not tell which of two keys under one identity a client holds, so the file is
        // refused and the message says how to fix it.
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeyFile.parse("ice:hex:" + NEW_HEX + "\nice:hex:" + OLD_HEX, "psk", "ice", warnings::add));

        assertTrue(e.getMessage().contains("identity 'ice' is given to two keys"), e.getMessage());
        assertNoKeyIn(e.getMessage());
    }

    @Test
    void aMalformedKeyIsNamedByFileAndLineWithoutQuotingIt() {
        // Proves: errors point at the line and never show a key, even a broken one.
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeyFile.parse("a:hex:" + NEW_HEX + "\nb:hex:" + OLD_HEX + "zz", "psk", "ice", warnings::add));

        assertTrue(e.getMessage().startsWith("key file psk line 2: the hex: key has"), e.getMessage());
        assertNoKeyIn(e.getMessage());
    }

    @Test
    void anEmptyFileIsRefusedWithTheFix() {
        // Proves: a file of comments only is not an empty key ring.
        PresharedKeyException e = assertThrows(PresharedKeyException.class,
            () -> KeyFile.parse("# nothing yet\n\n", "psk", "ice", warnings::add));

        assertTrue(e.getMessage().contains("holds no key"), e.getMessage());
    }

    @Test
    void aFileOthersMayReadGetsAWarningThatNamesTheFix(@TempDir Path dir) throws IOException {
        // Proves: a key file readable by group or others is used but reported, and mode 600 is not.
        Path loose = dir.resolve("loose");
        Files.writeString(loose, "ice:hex:" + NEW_HEX);
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        Path tight = dir.resolve("tight");
        Files.writeString(tight, "ice:hex:" + NEW_HEX);
        Files.setPosixFilePermissions(tight, PosixFilePermissions.fromString("rw-------"));

        KeyFile.read(tight, "ice", warnings::add);
        assertTrue(warnings.isEmpty(), warnings.toString());
        KeyFile.read(loose, "ice", warnings::add);

        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("rw-r--r--") && warnings.getFirst().contains("chmod 600"),
            warnings.getFirst());
    }

    @Test
    void theEnvironmentsKeyFileGivesTheWholeRing(@TempDir Path dir) throws IOException {
        // Proves: ICE_PRESHARED_KEY_FILE with identity lines yields every key, and the offered one is the first.
        Path file = dir.resolve("psk");
        Files.writeString(file, "new:hex:" + NEW_HEX + "\nold:hex:" + OLD_HEX + "\n");

        KeyRing ring = KeySource.keyRing(Map.of("ICE_PRESHARED_KEY_FILE", file.toString()), warnings::add);

        assertEquals(List.of("new", "old"), ring.identities());
        assertEquals("new", KeySource.fromEnvironment(Map.of("ICE_PRESHARED_KEY_FILE", file.toString()),
            warnings::add).identity());
    }

    @Test
    void identitiesThatWouldReadAsKeysAreNotIdentities() {
        // Proves: hex and base64 always start a key, and names with whitespace or colons are refused.
        assertFalse(KeyFile.isValidIdentity("hex"));
        assertFalse(KeyFile.isValidIdentity("base64"));
        assertFalse(KeyFile.isValidIdentity("two words"));
        assertFalse(KeyFile.isValidIdentity("a:b"));
        assertTrue(KeyFile.isValidIdentity("ice-2027.v2"));
    }

    private static void assertNoKeyIn(String message) {
        assertFalse(message.contains(OLD_HEX.substring(0, 16)), message);
        assertFalse(message.contains(NEW_HEX.substring(0, 16)), message);
    }
}
