package dev.ice.tunnel.key;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a key file: one {@code identity:key} line per key, the key a client offers first.
 *
 * <pre>
 * # Blank lines and lines starting with # are ignored.
 * ice-2027:hex:9f3c...        the key offered, and accepted
 * ice-2026:base64:q83v...     accepted too, until the fleet has moved on
 * </pre>
 *
 * <p>The key is in any form {@link KeySpec} reads; a passphrase is stretched with the line's identity as salt. A
 * file of one line without an identity (a {@code hex:} or {@code base64:} key, or a passphrase with no colon) is
 * today's single-key file: it is offered under the default identity given to {@link #parse}.
 *
 * <p>An identity is the text before the first colon; it holds no whitespace and is neither {@code hex} nor
 * {@code base64}, which start a key.
 */
public final class KeyFile {

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private KeyFile() {
    }

    /**
     * Reads and parses a key file, warning if others than its owner may read it.
     *
     * @param file the file
     * @param defaultIdentity the identity of a single line that names none
     * @param warnings receives warnings: loose permissions, a short passphrase
     * @return the keys, in the file's order
     * @throws PresharedKeyException if the file cannot be read or a line is malformed
     */
    public static KeyRing read(Path file, String defaultIdentity, Consumer<String> warnings) {
        String text = readText(file);
        warnIfOthersMayRead(file, warnings);
        return parse(text, file.toString(), defaultIdentity, warnings);
    }

    /**
     * Parses a key file's text.
     *
     * @param text the file's content
     * @param name the file's name, for messages
     * @param defaultIdentity the identity of a single line that names none
     * @param warnings receives warnings such as a short passphrase
     * @return the keys, in order
     * @throws PresharedKeyException naming the file and line, never quoting a key
     */
    public static KeyRing parse(String text, String name, String defaultIdentity, Consumer<String> warnings) {
        List<String> lines = text.lines().toList();
        List<Integer> keyLines = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (isKeyLine(lines.get(i))) {
                keyLines.add(i);
            }
        }
        if (keyLines.isEmpty()) {
            throw new PresharedKeyException("key file " + name + " holds no key; put identity:key lines in it, "
                + "e.g. the output of 'icetunnel key generate --identity ice'");
        }
        List<PresharedKey> keys = new ArrayList<>();
        for (int index : keyLines) {
            String source = "key file " + name + " line " + (index + 1);
            keys.add(parseLine(lines.get(index).strip(), source, keyLines.size() == 1 ? defaultIdentity : null,
                warnings));
        }
        return ring(keys, name);
    }

    /**
     * @param identity a name for a key
     * @return whether a key file line can start with it: not empty, no colon, no whitespace, not hex or base64
     */
    public static boolean isValidIdentity(String identity) {
        return !identity.isEmpty() && identity.indexOf(':') < 0 && !identity.equals("hex")
            && !identity.equals("base64") && identity.chars().noneMatch(Character::isWhitespace);
    }

    /**
     * @param line one line, trimmed
     * @return the identity the line names, or null if it is a bare key
     */
    static String identityOf(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String identity = line.substring(0, colon);
        return isValidIdentity(identity) ? identity : null;
    }

    private static PresharedKey parseLine(String line, String source, String defaultIdentity,
            Consumer<String> warnings) {
        String identity = identityOf(line);
        if (identity != null) {
            return KeySpec.parse(line.substring(identity.length() + 1).strip(), identity, source, warnings);
        }
        if (defaultIdentity == null) {
            throw new PresharedKeyException(source + " names no identity; in a file of several keys write each "
                + "as identity:key, e.g. ice-2027:hex:...");
        }
        return KeySpec.parse(line, defaultIdentity, source, warnings);
    }

    private static KeyRing ring(List<PresharedKey> keys, String name) {
        try {
            return KeyRing.of(keys);
        } catch (PresharedKeyException e) {
            throw new PresharedKeyException("key file " + name + ": " + e.getMessage());
        }
    }

    private static boolean isKeyLine(String line) {
        String stripped = line.strip();
        return !stripped.isEmpty() && !stripped.startsWith("#");
    }

    // A key file of many rotations is a few KiB; a larger one is a mistake such as /dev/zero, not a key file.
    private static final int MAX_KEY_FILE_BYTES = 64 * 1024;

    static String readText(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] content = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
            if (content.length > MAX_KEY_FILE_BYTES) {
                throw new PresharedKeyException("the key file " + file + " is larger than " + MAX_KEY_FILE_BYTES
                    + " bytes, so it is not a key file; check " + KeySource.KEY_FILE_VARIABLE + " (or --key-file)");
            }
            String text = new String(content, StandardCharsets.UTF_8);
            // Editors on some systems start UTF-8 files with a byte-order mark, which is not part of the key.
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (IOException e) {
            throw new PresharedKeyException("cannot read the key file " + file + " (" + e.getClass().getSimpleName()
                + "); check " + KeySource.KEY_FILE_VARIABLE + " (or --key-file) and the file's permissions");
        }
    }

    static void warnIfOthersMayRead(Path file, Consumer<String> warnings) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            warnings.accept("key file " + file + " may be read by its group or others (mode "
                + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "); restrict it to its "
                + "owner with 'chmod 600', or defaultMode: 0400 for a Kubernetes secret");
        }
    }
}
