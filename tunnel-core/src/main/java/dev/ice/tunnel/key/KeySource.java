package dev.ice.tunnel.key;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the pre-shared key in the environment: {@code ICE_PRESHARED_KEY_FILE} (which wins) or
 * {@code ICE_PRESHARED_KEY}, offered under {@code ICE_PSK_IDENTITY}.
 *
 * <p>Keys never come from the command line, where {@code ps} and shell history would show them.
 */
public final class KeySource {

    /** The variable that holds the key itself. */
    public static final String KEY_VARIABLE = "ICE_PRESHARED_KEY";
    /** The variable that names a file holding the key; it wins over {@link #KEY_VARIABLE}. */
    public static final String KEY_FILE_VARIABLE = "ICE_PRESHARED_KEY_FILE";
    /** The variable that holds the PSK identity. */
    public static final String IDENTITY_VARIABLE = "ICE_PSK_IDENTITY";

    private KeySource() {
    }

    /**
     * Reads the key that the environment configures.
     *
     * @param environment the process environment, or a test's stand-in
     * @param warnings receives warnings such as a short passphrase
     * @return the key
     * @throws PresharedKeyException if no key is configured, the file is unreadable, or the key is malformed
     */
    public static PresharedKey fromEnvironment(Map<String, String> environment, Consumer<String> warnings) {
        String identity = environment.getOrDefault(IDENTITY_VARIABLE, PresharedKey.DEFAULT_IDENTITY);
        String file = environment.get(KEY_FILE_VARIABLE);
        if (file != null && !file.isBlank()) {
            return fromFile(Path.of(file), identity, warnings);
        }
        String value = environment.get(KEY_VARIABLE);
        if (value == null) {
            throw new PresharedKeyException("no pre-shared key: set " + KEY_VARIABLE + " (e.g. to the output of "
                + "'icetunnel key generate') or " + KEY_FILE_VARIABLE + " to a file that holds it");
        }
        return KeySpec.parse(value.strip(), identity, KEY_VARIABLE, warnings);
    }

    /**
     * Reads a key from a file whose first non-blank line is the key.
     *
     * @param file the file
     * @param identity the PSK identity
     * @param warnings receives warnings such as a short passphrase
     * @return the key
     */
    public static PresharedKey fromFile(Path file, String identity, Consumer<String> warnings) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PresharedKeyException("cannot read the key file " + file + " (" + e.getClass().getSimpleName()
                + "); check " + KEY_FILE_VARIABLE + " and the file's permissions");
        }
        String line = content.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        return KeySpec.parse(line, identity, "key file " + file, warnings);
    }
}
