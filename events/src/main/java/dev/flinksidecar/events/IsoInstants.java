package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Event times written as ISO-8601 text, to epoch milliseconds: the common form {@code
 * 2026-01-01T00:00:05.568Z} (four-digit year, UTC, no fraction or one of 1 to 9 digits) read field
 * by field, anything else by {@link Instant#parse} and then {@link OffsetDateTime#parse}, as
 * before. The short way gives what {@code Instant.parse(text).toEpochMilli()} gives ({@code
 * EventLineParserTest} compares them), without {@code java.time}'s formatter, which cost about a
 * tenth of the reading time of the test data, where one line in twenty has such a time.
 */
public final class IsoInstants {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    /** Days from 0000-01-01 to 1970-01-01 (proleptic Gregorian), as {@code LocalDate} counts. */
    private static final long DAYS_0000_TO_1970 = 719_528L;

    private IsoInstants() {}

    /** The instant {@code text} names, in epoch milliseconds; null when it names none. */
    public static Long epochMillis(String text) {
        byte[] latin1 = text.length() <= 30 ? text.getBytes(StandardCharsets.ISO_8859_1) : null;
        long fast = latin1 != null ? utc(latin1, 0, latin1.length) : Long.MIN_VALUE;
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} in epoch milliseconds, else Long.MIN_VALUE (let
     * java.time decide): the {@code n} bytes from {@code start}, ASCII as in an event line, where
     * the parser reads a plain time string without making it a {@code String} first (a character
     * past Latin-1 in a {@code String} becomes a '?', which the short way never takes).
     */
    static long utc(byte[] bytes, int start, int n) {
        if (n < 20
                || n > 30
                || bytes[start + 4] != '-'
                || bytes[start + 7] != '-'
                || bytes[start + 10] != 'T'
                || bytes[start + 13] != ':'
                || bytes[start + 16] != ':'
                || bytes[start + n - 1] != 'Z') {
            return Long.MIN_VALUE;
        }
        int year = digits(bytes, start, 4);
        int month = digits(bytes, start + 5, 2);
        int day = digits(bytes, start + 8, 2);
        int hour = digits(bytes, start + 11, 2);
        int minute = digits(bytes, start + 14, 2);
        int second = digits(bytes, start + 17, 2);
        if (year < 0
                || month < 0
                || day < 0
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return Long
                    .MIN_VALUE; // second 60 too: a leap second, which Instant.parse reads its own
            // way
        }
        int millis = 0;
        if (n > 20) {
            int fraction = n - 21; // the digits between '.' and 'Z'
            if (bytes[start + 19] != '.'
                    || fraction < 1
                    || fraction > 9
                    || digits(bytes, start + 20, fraction) < 0) {
                return Long.MIN_VALUE;
            }
            millis = digits(bytes, start + 20, Math.min(3, fraction));
            for (int i = fraction; i < 3; i++) {
                millis *= 10;
            }
        } else if (n != 20) {
            return Long.MIN_VALUE;
        }
        long epochDay = epochDay(year, month, day);
        if (epochDay == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return epochDay * MILLIS_PER_DAY
                + hour * 3_600_000L
                + minute * 60_000L
                + second * 1000L
                + millis;
    }

    /**
     * Days from 1970-01-01 to a date of years 0 to 9999, as {@code LocalDate.of(year, month,
     * day).toEpochDay()} computes them but without making a {@code LocalDate}; Long.MIN_VALUE for a
     * month or day that does not exist.
     */
    private static long epochDay(int year, int month, int day) {
        boolean leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
        int monthLength =
                month == 2
                        ? (leap ? 29 : 28)
                        : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
        if (month < 1 || month > 12 || day < 1 || day > monthLength) {
            return Long.MIN_VALUE;
        }
        long y = year;
        long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367 * month - 362) / 12 + day - 1;
        if (month > 2) {
            total -= leap ? 1 : 2;
        }
        return total - DAYS_0000_TO_1970;
    }

    /** The decimal number of {@code count} ASCII digits at {@code start}, or -1. */
    private static int digits(byte[] bytes, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            byte c = bytes[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
