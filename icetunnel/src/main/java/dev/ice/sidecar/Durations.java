package dev.ice.sidecar;

import java.time.Duration;
import java.util.Locale;

/** Reads durations as people write them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, or bare seconds. */
public final class Durations {

    private Durations() {
    }

    /**
     * @param value the text
     * @return the duration
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static Duration parse(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (text.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2))), value);
            }
            long amount = Long.parseLong(text.replaceAll("[smh]$", ""));
            return nonNegative(switch (text.charAt(text.length() - 1)) {
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            }, value);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration; write e.g. 500ms, 10s, 5m or 1h");
        }
    }

    private static Duration nonNegative(Duration duration, String value) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("'" + value + "' is negative; give a duration of 0 or more");
        }
        return duration;
    }
}
