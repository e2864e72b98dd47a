package dev.flinksidecar.sidecar.logging;

/**
 * Writes an instant in UTC, ISO 8601, {@code 2026-11-26T12:17:53.062Z}, with arithmetic alone: no
 * date-format, calendar or time-zone classes to load at the sidecar's start (the JVM's default time
 * zone alone took 10 ms to read).
 */
final class LogTimestamp {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private LogTimestamp() {}

    /** Appends {@code epochMillis}. */
    static void append(StringBuilder out, long epochMillis) {
        long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        long millisOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // days since 1970-01-01 to year, month, day (proleptic Gregorian; Howard Hinnant's
        // civil_from_days)
        long shifted = days + 719_468; // from 0000-03-01
        long era = Math.floorDiv(shifted, 146_097);
        long dayOfEra = shifted - era * 146_097;
        long yearOfEra =
                (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
        long month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        pad(out, year, 4).append('-');
        pad(out, month, 2).append('-');
        pad(out, day, 2).append('T');
        pad(out, millisOfDay / 3_600_000, 2).append(':');
        pad(out, millisOfDay / 60_000 % 60, 2).append(':');
        pad(out, millisOfDay / 1_000 % 60, 2).append('.');
        pad(out, millisOfDay % 1_000, 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder out, long value, int digits) {
        String text = Long.toString(value);
        for (int i = text.length(); i < digits; i++) {
            out.append('0');
        }
        return out.append(text);
    }
}
