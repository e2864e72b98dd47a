package dev.flinksidecar.rule;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the project writes them everywhere, in flags and configs alike: a whole number and a
 * unit, {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}.
 */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*");

    /** The units above milliseconds, largest first, and their lengths. */
    private static final String[] UNITS = {"d", "h", "m", "s"};

    private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1000L};

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException naming the text and the expected form when it does not parse
     */
    public static Duration parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is not a duration; write a whole number and a unit: 500ms, 10s, 2m, 1h or 1d");
        }
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                return Duration.ofDays(amount);
        }
    }

    /**
     * Writes a duration in the largest unit that represents it exactly, e.g. {@code 1500ms}, {@code
     * 10s}.
     */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        for (int i = 0; i < UNIT_MILLIS.length; i++) {
            if (ms != 0 && ms % UNIT_MILLIS[i] == 0) {
                return Long.toString(ms / UNIT_MILLIS[i]).concat(UNITS[i]);
            }
        }
        return Long.toString(ms).concat("ms");
    }
}
