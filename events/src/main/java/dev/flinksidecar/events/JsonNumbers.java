package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;

/**
 * The numbers of event lines, read for {@link JsonBytes#number}: a long when the number has no
 * fraction nor exponent and fits one, else a double exactly as {@code Double.parseDouble} gives it.
 * Up to 18 significant digits are gathered into a long mantissa, eight at a time where eight digits
 * follow ({@link Swar#eightDigits}; epoch milliseconds have 13), then short decimals like {@code
 * 63.46} are computed exactly from the mantissa and a power of ten; only what that does not cover
 * (a longer mantissa, a larger exponent) is made text for the JDK's parsers. One thread.
 */
final class JsonNumbers {

    /** Powers of ten that a double holds exactly: the fast, exact path for short decimals. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

    /** A mantissa below 10^17 (17 digits at most) takes one more digit and stays exact. */
    private static final long ONE_MORE_DIGIT = 100_000_000_000_000_000L;

    /** A mantissa below 10^10 takes eight more digits at once and stays below 10^18. */
    private static final long EIGHT_MORE_DIGITS = 10_000_000_000L;

    private long mantissa;
    private boolean exact; // the mantissa holds every digit

    /**
     * The number at {@code in.pos}: {@code in.integral} and {@code in.longValue}, else {@code
     * in.doubleValue}; {@code in.pos} after it.
     */
    void read(JsonBytes in) throws MalformedEventException {
        byte[] bytes = in.bytes;
        int end = in.end;
        int start = in.pos;
        boolean negative = bytes[start] == '-';
        int first = negative ? start + 1 : start;
        in.pos = first;
        if (first + 1 < end && bytes[first] == '0' && digit(bytes[first + 1])) {
            throw in.error("a number with a leading zero");
        }
        mantissa = 0;
        exact = true;
        digits(in);
        if (in.pos == first) {
            throw in.error("expected a digit");
        }
        int exponent = 0; // the power of ten the mantissa is multiplied by
        boolean fraction = in.pos < end && bytes[in.pos] == '.';
        if (fraction) {
            int fractionStart = ++in.pos;
            exponent = -digits(in);
            if (in.pos == fractionStart) {
                throw in.error("expected a digit after '.'");
            }
        }
        boolean scientific = in.pos < end && (bytes[in.pos] == 'e' || bytes[in.pos] == 'E');
        if (scientific) {
            exponent += exponent(in);
        }
        in.integral = !fraction && !scientific && exact;
        if (in.integral) {
            in.longValue = negative ? -mantissa : mantissa;
            return;
        }
        String token = null; // made only for the JDK's parsers
        if (!fraction && !scientific) {
            token = new String(bytes, start, in.pos - start, StandardCharsets.ISO_8859_1);
            try {
                in.longValue = Long.parseLong(token);
                in.integral = true;
            } catch (NumberFormatException tooLarge) {
                // as before: an integer past a long is a double
                in.doubleValue = Double.parseDouble(token);
            }
        } else if (exact && mantissa < (1L << 53) && exponent >= -22 && exponent <= 22) {
            // Both mantissa and power are exact doubles: one rounding, as Double.parseDouble's.
            double value =
                    exponent < 0
                            ? mantissa / POWERS_OF_TEN[-exponent]
                            : mantissa * POWERS_OF_TEN[exponent];
            in.doubleValue = negative ? -value : value;
        } else {
            token = new String(bytes, start, in.pos - start, StandardCharsets.ISO_8859_1);
            in.doubleValue = Double.parseDouble(token);
        }
    }

    /**
     * The digits at {@code in.pos}, gathered into the mantissa while it stays exact (past that, not
     * {@link #exact}); {@code in.pos} after them. Returns how many went into the mantissa.
     */
    private int digits(JsonBytes in) {
        byte[] bytes = in.bytes;
        int end = in.end;
        int pos = in.pos;
        int gathered = 0;
        while (mantissa < EIGHT_MORE_DIGITS && pos + 8 <= end) {
            long word = Swar.longAt(bytes, pos);
            if (!Swar.eightDigits(word)) {
                break;
            }
            mantissa = mantissa * 100_000_000L + Swar.eightDigitsValue(word);
            pos += 8;
            gathered += 8;
        }
        for (; pos < end && digit(bytes[pos]); pos++) {
            if (mantissa < ONE_MORE_DIGIT) {
                mantissa = mantissa * 10 + (bytes[pos] - '0');
                gathered++;
            } else {
                exact = false;
            }
        }
        in.pos = pos;
        return gathered;
    }

    /** The exponent after an 'e' at {@code in.pos}, capped at 100,000 either way. */
    private static int exponent(JsonBytes in) throws MalformedEventException {
        byte[] bytes = in.bytes;
        int end = in.end;
        in.pos++;
        boolean negative = in.pos < end && bytes[in.pos] == '-';
        if (in.pos < end && (bytes[in.pos] == '+' || bytes[in.pos] == '-')) {
            in.pos++;
        }
        int exponentStart = in.pos;
        int value = 0;
        while (in.pos < end && digit(bytes[in.pos])) {
            value = Math.min(value * 10 + bytes[in.pos++] - '0', 100_000);
        }
        if (in.pos == exponentStart) {
            throw in.error("expected a digit in the exponent");
        }
        return negative ? -value : value;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }
}
