package dev.flinksidecar.events;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte searches eight bytes at a time ("SIMD within a register"), for the hot loops of event lines:
 * a line break, the end of a plain string. A byte of {@code (x - n..) & ~x} has its top bit set
 * where a byte of {@code x} is below {@code n} (at most 0x80; {@code n} = 1 finds zero bytes, and
 * {@code x} = the word XOR a byte repeated finds that byte); a borrow can set it in higher bytes
 * too, never in lower ones, so the lowest flagged byte is always a true hit, and the searches below
 * only ever use the lowest. Words are read little-endian, so the lowest byte of a word is its first
 * in the array.
 */
final class Swar {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Swar() {}

    /** The eight bytes at {@code at}, little-endian; {@code at + 8} must be within the array. */
    static long longAt(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }

    /**
     * The {@code count} (0 to 8) bytes at {@code at} as a little-endian long, the bytes above them
     * zero: the same value wherever those bytes lie, even at the very end of the array.
     */
    static long word(byte[] bytes, int at, int count) {
        if (at + 8 <= bytes.length) {
            return count == 8 ? longAt(bytes, at) : longAt(bytes, at) & ((1L << (count << 3)) - 1);
        }
        long word = 0;
        for (int i = count - 1; i >= 0; i--) {
            word = word << 8 | (bytes[at + i] & 0xFF);
        }
        return word;
    }

    /** True when the eight bytes of {@code word} are all ASCII digits. */
    static boolean eightDigits(long word) {
        // each byte 0x30 to 0x3F, and none past 0x39 (adding 6 keeps the high half 3)
        return (word & 0xF0F0F0F0F0F0F0F0L) == 0x3030303030303030L
                && ((word + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) == 0x3030303030303030L;
    }

    /**
     * The value of eight ASCII digits ({@link #eightDigits}), the first the most significant: pairs
     * of digits, then of pairs, then of quadruples, each step one multiplication for all of them.
     */
    static long eightDigitsValue(long word) {
        long value = (word & 0x0F0F0F0F0F0F0F0FL) * 2561 >>> 8; // 10 * a + b in each pair
        value = (value & 0x00FF00FF00FF00FFL) * 6553601 >>> 16; // 100 * ab + cd in each four
        return (value & 0x0000FFFF0000FFFFL) * 42949672960001L >>> 32; // 10^4 * abcd + efgh
    }

    /** The index of the first {@code '\n'} or {@code '\r'} in {@code [from, limit)}, or limit. */
    static int lineBreak(byte[] bytes, int from, int limit) {
        int i = from;
        while (i + 8 <= limit) {
            long w = longAt(bytes, i);
            // bytes below 0x0E: the two line breaks, and tabs or other controls, seldom in a line
            long below = (w - 0x0E0E0E0E0E0E0E0EL) & ~w & HIGHS;
            if (below == 0) {
                i += 8;
                continue;
            }
            int at = i + (Long.numberOfTrailingZeros(below) >>> 3);
            if (bytes[at] == '\n' || bytes[at] == '\r') {
                return at;
            }
            i = at + 1;
        }
        for (; i < limit; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                return i;
            }
        }
        return limit;
    }

    /**
     * The index of the first byte in {@code [from, end)} that a plain ASCII string stops at: a
     * quote, a backslash, a control character (below 0x20) or a byte past ASCII; end when there is
     * none. Reads whole words past {@code end} when the array has them (a line's buffer mostly
     * does), never using what they hold.
     */
    static int stringStop(byte[] bytes, int from, int end) {
        int i = from;
        for (int last = bytes.length - 8; i <= last && i < end; i += 8) {
            long w = longAt(bytes, i);
            long quote = w ^ 0x2222222222222222L;
            long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
            long stops =
                    ((quote - ONES) & ~quote)
                            | ((backslash - ONES) & ~backslash)
                            | ((w - 0x2020202020202020L) & ~w)
                            | w; // the top bit of a byte past ASCII
            stops &= HIGHS;
            if (stops != 0) {
                return Math.min(end, i + (Long.numberOfTrailingZeros(stops) >>> 3));
            }
        }
        for (; i < end; i++) {
            byte c = bytes[i];
            if (c == '"' || c == '\\' || c < 0x20) { // bytes past ASCII are negative
                return i;
            }
        }
        return end;
    }
}
