package dev.ice.tunnel.key;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Consumer;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Turns the text a user configures into a raw pre-shared key.
 *
 * <ul>
 *   <li>{@code hex:<digits>} and {@code base64:<text>} are the raw key, at least 16 bytes.</li>
 *   <li>Anything else is a passphrase, stretched with Argon2id (RFC 9106) salted with the identity into a 32-byte
 *       key, so that every member that knows the passphrase and identity derives the same key.</li>
 * </ul>
 */
public final class KeySpec {

    /** Passphrases shorter than this get a warning: they can be guessed offline from one captured handshake. */
    public static final int SHORT_PASSPHRASE_CHARS = 20;

    // RFC 9106 §4 second recommended option, with one lane: 64 MiB and 3 passes cost about 0.2 s once per start.
    private static final int ARGON2_MEMORY_KIB = 64 * 1024;
    private static final int ARGON2_ITERATIONS = 3;
    private static final int ARGON2_LANES = 1;
    private static final int DERIVED_KEY_BYTES = 32;
    private static final String SALT_PREFIX = "ice-psk-v1:";

    private KeySpec() {
    }

    /**
     * Parses a key as configured.
     *
     * @param text the configured value, already trimmed
     * @param identity the PSK identity; it salts a passphrase
     * @param source where the text came from, named in errors (e.g. "ICE_PRESHARED_KEY")
     * @param warnings receives a warning for a short passphrase
     * @return the key
     * @throws PresharedKeyException if the value is empty or malformed; the message never quotes the value
     */
    public static PresharedKey parse(String text, String identity, String source, Consumer<String> warnings) {
        if (text.isEmpty()) {
            throw new PresharedKeyException(source + " is empty; put a key in it, e.g. the output of "
                + "'icetunnel key generate'");
        }
        if (text.regionMatches(true, 0, "hex:", 0, 4)) {
            return new PresharedKey(identity, decodeHex(text.substring(4).strip(), source));
        }
        if (text.regionMatches(true, 0, "base64:", 0, 7)) {
            return new PresharedKey(identity, decodeBase64(text.substring(7).strip(), source));
        }
        if (text.matches("(0[xX])?[0-9A-Fa-f]{32,}")) {
            warnings.accept(source + " looks like a raw key in hex but is used as a passphrase; write it as "
                + "hex:<digits> if it is the raw key (as in stunnel's PSKsecrets)");
        }
        if (text.length() < SHORT_PASSPHRASE_CHARS) {
            warnings.accept(source + " holds a passphrase of only " + text.length() + " characters; use at least "
                + SHORT_PASSPHRASE_CHARS + ", or a random key from 'icetunnel key generate'");
        }
        return new PresharedKey(identity, stretch(text, identity));
    }

    private static byte[] decodeHex(String digits, String source) {
        if (digits.length() % 2 != 0) {
            throw new PresharedKeyException(source + ": the hex: key has an odd number of digits (" + digits.length()
                + "); write two hex digits per byte, at least " + PresharedKey.MINIMUM_KEY_BYTES * 2 + " digits");
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                throw new PresharedKeyException(source + ": the hex: key has a non-hex character at position "
                    + (i + 1) + "; use only 0-9 and a-f, or write the key as base64:...");
            }
        }
        byte[] key = HexFormat.of().parseHex(digits);
        requireLength(key, source, "hex:");
        return key;
    }

    private static byte[] decodeBase64(String encoded, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new PresharedKeyException(source + ": the base64: key is not valid base64 (standard alphabet, "
                + "with padding); write the key as hex:... or re-encode it");
        }
        requireLength(key, source, "base64:");
        return key;
    }

    private static void requireLength(byte[] key, String source, String form) {
        if (key.length < PresharedKey.MINIMUM_KEY_BYTES) {
            throw new PresharedKeyException(source + ": the " + form + " key is " + key.length + " bytes; at least "
                + PresharedKey.MINIMUM_KEY_BYTES + " are needed. Generate one with 'icetunnel key generate'");
        }
    }

    private static byte[] stretch(String passphrase, String identity) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(ARGON2_MEMORY_KIB)
            .withIterations(ARGON2_ITERATIONS)
            .withParallelism(ARGON2_LANES)
            .withSalt((SALT_PREFIX + identity).getBytes(StandardCharsets.UTF_8))
            .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] key = new byte[DERIVED_KEY_BYTES];
        generator.generateBytes(passphrase.getBytes(StandardCharsets.UTF_8), key);
        return key;
    }
}
