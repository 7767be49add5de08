package dev.ice.tunnel.key;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the pre-shared keys in the environment: the {@code identity:key} lines of {@code ICE_PRESHARED_KEY_FILE}
 * (which wins; see {@link KeyFile}), or the one key of {@code ICE_PRESHARED_KEY}, offered under
 * {@code ICE_PSK_IDENTITY}.
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
     * Reads the key that the environment configures: the one a client offers.
     *
     * @param environment the process environment, or a test's stand-in
     * @param warnings receives warnings such as a short passphrase
     * @return the key
     * @throws PresharedKeyException if no key is configured, the file is unreadable, or the key is malformed
     */
    public static PresharedKey fromEnvironment(Map<String, String> environment, Consumer<String> warnings) {
        return keyRing(environment, warnings).offered();
    }

    /**
     * Reads the keys that the environment configures: those of the key file, or the one key of
     * {@value #KEY_VARIABLE}.
     *
     * @param environment the process environment, or a test's stand-in
     * @param warnings receives warnings such as a short passphrase or a key file others may read
     * @return the keys, the offered one first
     * @throws PresharedKeyException if no key is configured, the file is unreadable, or a key is malformed
     */
    public static KeyRing keyRing(Map<String, String> environment, Consumer<String> warnings) {
        Path file = keyFile(environment);
        if (file != null) {
            return KeyFile.read(file, identity(environment), warnings);
        }
        String value = environment.get(KEY_VARIABLE);
        if (value == null) {
            throw new PresharedKeyException("no pre-shared key: set " + KEY_VARIABLE + " (e.g. to the output of "
                + "'icetunnel key generate') or " + KEY_FILE_VARIABLE + " to a file that holds it");
        }
        return KeyRing.of(KeySpec.parse(value.strip(), identity(environment), KEY_VARIABLE, warnings));
    }

    /**
     * @param environment the process environment
     * @return the key file {@value #KEY_FILE_VARIABLE} names, or null if it names none
     */
    public static Path keyFile(Map<String, String> environment) {
        String file = environment.get(KEY_FILE_VARIABLE);
        return file == null || file.isBlank() ? null : Path.of(file);
    }

    /**
     * @param environment the process environment
     * @return the identity of a key that names none: {@value #IDENTITY_VARIABLE}, else the default
     */
    public static String identity(Map<String, String> environment) {
        return environment.getOrDefault(IDENTITY_VARIABLE, PresharedKey.DEFAULT_IDENTITY);
    }

    /**
     * Reads a key file and returns the key a client offers: its first.
     *
     * @param file the file
     * @param identity the identity of a single line that names none
     * @param warnings receives warnings such as a short passphrase
     * @return the key
     */
    public static PresharedKey fromFile(Path file, String identity, Consumer<String> warnings) {
        return KeyFile.read(file, identity, warnings).offered();
    }
}
