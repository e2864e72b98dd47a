package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The short way to epoch milliseconds against java.time's parsers, which it stands in for. */
class IsoInstantsTest {

    @Test
    void givesWhatJavaTimeGivesForRandomInstants() {
        Random random = new Random(9);
        for (int i = 0; i < 200_000; i++) {
            long seconds =
                    random.nextLong()
                            % 253_402_300_800L; // years 0000 to 9999 (and some before 1970)
            String whole = Instant.ofEpochSecond(seconds).toString(); // ...Z, no fraction
            String text =
                    switch (random.nextInt(4)) {
                        case 0 -> whole;
                        case 1 ->
                                whole.substring(0, whole.length() - 1)
                                        + "."
                                        + digits(random, 1 + random.nextInt(9))
                                        + "Z";
                        case 2 ->
                                whole.substring(0, whole.length() - 1)
                                        + "."
                                        + digits(random, 3)
                                        + "Z";
                        default -> damaged(random, whole);
                    };
            assertThat(IsoInstants.epochMillis(text)).as(text).isEqualTo(javaTime(text));
        }
    }

    @Test
    void countsEveryDayAsJavaTimeDoes() {
        // every day of four centuries and more, leap days included, and the days no month has
        for (int year :
                new int[] {0, 1, 4, 100, 1600, 1899, 1900, 1970, 2000, 2024, 2026, 2100, 9999}) {
            for (int month = 0; month <= 13; month++) {
                for (int day = 0; day <= 32; day++) {
                    String text = String.format("%04d-%02d-%02dT12:34:56.789Z", year, month, day);
                    assertThat(IsoInstants.epochMillis(text)).as(text).isEqualTo(javaTime(text));
                }
            }
        }
    }

    @Test
    void leavesTheUnusualFormsToJavaTime() {
        for (String text :
                List.of(
                        "2026-01-01T24:00:00Z",
                        "2026-12-31T23:59:60Z",
                        "2026-02-29T00:00:00Z",
                        "2024-02-29T00:00:00Z",
                        "2026-01-01t00:00:00z",
                        "2026-01-01T00:00:00.Z",
                        "2026-01-01T00:00:00.1234567890Z",
                        "+12026-01-01T00:00:00Z",
                        "-0001-01-01T00:00:00Z",
                        "2026-01-01T01:00:00.250+01:00",
                        "2026-01-01T00:00Z",
                        "2026-1-01T00:00:00Z",
                        "yesterday",
                        "")) {
            assertThat(IsoInstants.epochMillis(text)).as(text).isEqualTo(javaTime(text));
        }
    }

    /**
     * The short way reads an event line's bytes where the time string lies in it (the parser's way)
     * as it reads the same text as a String: random and damaged times, inside a longer array and at
     * its very end.
     */
    @Test
    void readsTimesInALinesBytesAsInAString() {
        Random random = new Random(10);
        for (int i = 0; i < 100_000; i++) {
            String whole =
                    Instant.ofEpochMilli(random.nextLong() % 253_402_300_800_000L).toString();
            String text = random.nextBoolean() ? whole : damaged(random, whole);
            byte[] ascii = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            int before = random.nextInt(20);
            byte[] line = new byte[before + ascii.length + random.nextInt(2)];
            System.arraycopy(ascii, 0, line, before, ascii.length);
            long fast = IsoInstants.utc(line, before, ascii.length);
            Long expected = IsoInstants.epochMillis(text);
            if (fast != Long.MIN_VALUE) {
                assertThat(fast).as(text).isEqualTo(expected);
            } else if (expected != null) {
                assertThat(text).as("left to java.time").doesNotMatch(COMMON_FORM);
            }
        }
        assertThat(IsoInstants.epochMillis("2026-01-01T00:00:00.000\u00C5"))
                .as("a character past ASCII is never a 'Z'")
                .isNull();
    }

    private static final String COMMON_FORM =
            "\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d"
                    + "(\\.\\d{1,9})?Z";

    /** The way it was done before: Instant.parse, then OffsetDateTime.parse. */
    private static Long javaTime(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String damaged(Random random, String text) {
        char[] chars = text.toCharArray();
        chars[random.nextInt(chars.length)] = "0123456789-:T.Zx9".charAt(random.nextInt(17));
        return new String(chars);
    }

    private static String digits(Random random, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        return out.toString();
    }
}
