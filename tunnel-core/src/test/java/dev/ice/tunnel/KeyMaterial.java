package dev.ice.tunnel;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises key material in a line of text: what the test suite's keys look like in each form ICE reads (raw hex,
 * base64, and the passphrases the tests use), and raw keys in general, which are long runs of hex digits or of
 * base64 text.
 *
 * <p>The rules are wide on purpose: a line that merely looks like a key is worth a look. What legitimately appears
 * in ICE's logs (addresses, ids, suite names, file names, byte counts) matches none of them.
 */
public final class KeyMaterial {

    /** The passphrases the test suite configures, which no rule about randomness would recognise. */
    private static final List<String> TEST_PASSPHRASES = List.of("correct horse battery staple", "hunter2",
        "a passphrase long enough to pass", "a long passphrase shared by the whole plane");

    // 16 bytes, the shortest key ICE accepts, are 32 hex digits; its base64 is 22 characters or more.
    private static final Pattern HEX_RUN = Pattern.compile("[0-9a-fA-F]{32,}");
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/_-]{22,}={0,2}");
    private static final Pattern KEY_FORM = Pattern.compile("(hex|base64):[A-Za-z0-9+/=]{8,}");

    private KeyMaterial() {
    }

    /**
     * @param text a log line or an exception message
     * @return what in it looks like key material, described without repeating it, if anything does
     */
    public static Optional<String> find(String text) {
        for (String passphrase : TEST_PASSPHRASES) {
            if (text.contains(passphrase)) {
                return Optional.of("a test passphrase");
            }
        }
        if (KEY_FORM.matcher(text).find()) {
            return Optional.of("a key in the hex: or base64: form");
        }
        if (HEX_RUN.matcher(text).find()) {
            return Optional.of("a run of 32 or more hex digits");
        }
        Matcher base64 = BASE64_RUN.matcher(text);
        while (base64.find()) {
            if (looksRandom(base64.group())) {
                return Optional.of("a run of base64 text");
            }
        }
        return Optional.empty();
    }

    // Words, method names and dotted names are long too; random base64 mixes digits with both cases.
    private static boolean looksRandom(String run) {
        return run.chars().anyMatch(Character::isDigit) && run.chars().anyMatch(Character::isUpperCase)
            && run.chars().anyMatch(Character::isLowerCase);
    }
}
