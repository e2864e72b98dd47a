package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Field names of event lines by their bytes: a file's names repeat on every line, so each becomes a
 * string once, not once per line: 447 bytes allocated per event of the test data instead of 839
 * ({@code EventLineParserTest} guards the budget). A table of {@value #SIZE} names, probed linearly
 * a few slots from a name's own; when those are taken, the new name replaces the one in its own
 * slot, so the table stays this size whatever the input holds. Plain ASCII names only. One thread.
 */
final class NameCache {

    private static final int BITS = 8;
    static final int SIZE = 1 << BITS;

    /**
     * Slots looked at for a name, from its own: a few names that share a slot do not evict each
     * other.
     */
    private static final int PROBES = 4;

    /** Longer names are made each time, not kept. */
    static final int MAX_LENGTH = 32;

    private final String[] names = new String[SIZE];
    private final byte[][] keys = new byte[SIZE][];

    /** The name of ASCII bytes {@code [start, start + length)}. */
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
                return names[slot];
            }
        }
        String name = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        names[free] = name;
        keys[free] = Arrays.copyOfRange(bytes, start, start + length);
        return name;
    }

    /**
     * The length, the first byte and the last eight: where names of a file tell each other apart,
     * at a fixed cost whatever the length.
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

    /** True when {@code key} is the bytes {@code [start, start + length)}. */
    static boolean same(byte[] key, byte[] bytes, int start, int length) {
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
