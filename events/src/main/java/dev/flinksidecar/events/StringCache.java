package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Short ASCII strings of event lines by their bytes (field names, and values like a type or a
 * country), so that what repeats from line to line becomes a string once, not once per line:
 * fewer allocations while reading, and events that share their strings afterwards. A table of
 * {@value #SIZE} strings, probed linearly a few slots from a string's own; when those are taken,
 * the new string replaces the one in its own slot, so the table's size stays fixed whatever the
 * input holds, and values that never repeat (keys of many cards) only pass through. One thread.
 */
final class StringCache {

    private static final int BITS = 10;
    static final int SIZE = 1 << BITS;
    /** Slots looked at for a string, from its own: a few strings that share a slot do not evict each other. */
    private static final int PROBES = 4;
    /** Longer strings are made each time, not kept. */
    static final int MAX_LENGTH = 32;

    private final String[] strings = new String[SIZE];
    private final byte[][] keys = new byte[SIZE][];

    /** The string of ASCII bytes {@code [start, start + length)}. */
    String get(byte[] bytes, int start, int length) {
        if (length > MAX_LENGTH) {
            return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        }
        int home = (hash(bytes, start, length) * 0x9E3779B9) >>> (32 - BITS);
        int free = home;
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = (home + probe) & (SIZE - 1);
            byte[] key = keys[slot];
            if (key == null) {
                free = slot;
                break;
            }
            if (same(key, bytes, start, length)) {
                return strings[slot];
            }
        }
        String string = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        strings[free] = string;
        keys[free] = Arrays.copyOfRange(bytes, start, start + length);
        return string;
    }

    /**
     * The length, the first byte and the last eight: where strings of a file tell each other apart
     * (ids differ at their end), at a fixed cost whatever the length.
     */
    private static int hash(byte[] bytes, int start, int length) {
        int end = start + length;
        int hash = length;
        if (length > 0) {
            hash = 31 * hash + bytes[start];
        }
        for (int i = Math.max(start + 1, end - 8); i < end; i++) {
            hash = 31 * hash + bytes[i];
        }
        return hash;
    }

    private static boolean same(byte[] key, byte[] bytes, int start, int length) {
        if (key.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (key[i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }
}
