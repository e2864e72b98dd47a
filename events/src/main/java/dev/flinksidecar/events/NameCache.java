package dev.flinksidecar.events;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Short ASCII strings of event lines by their bytes: a file's field names repeat on every line, and
 * so do many values (a type, a country, a merchant, a card), so each becomes a string once, not
 * once per line: 447 bytes allocated per event of the test data instead of 839 with the names
 * cached ({@code EventLineParserTest} guards the budget), less again with the values. A table of
 * {@code 2^bits} strings, probed linearly a few slots from a string's own; when those are taken,
 * the new string replaces the one in its own slot (reusing that slot's byte array when the lengths
 * match), so the table stays its size whatever the input holds. Plain ASCII only. One thread.
 */
final class NameCache {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The size of a table of field names: {@value}. */
    static final int SIZE = 1 << 8;

    /**
     * Slots looked at for a name, from its own: a few names that share a slot do not evict each
     * other.
     */
    private static final int PROBES = 4;

    /** Longer names are made each time, not kept. */
    static final int MAX_LENGTH = 32;

    private final int bits;
    private final String[] names;
    private final byte[][] keys;
    private final int[] hashes;

    /** A table of {@link #SIZE} names. */
    NameCache() {
        this(8);
    }

    /**
     * @param bits the table holds {@code 2^bits} strings
     */
    NameCache(int bits) {
        this.bits = bits;
        this.names = new String[1 << bits];
        this.keys = new byte[1 << bits][];
        this.hashes = new int[1 << bits];
    }

    /** The name of ASCII bytes {@code [start, start + length)}. */
    String get(byte[] bytes, int start, int length) {
        return length > MAX_LENGTH
                ? new String(bytes, start, length, StandardCharsets.ISO_8859_1)
                : get(bytes, start, length, hash(bytes, start, length));
    }

    /**
     * The string of ASCII bytes {@code [start, start + length)} whose {@link #hash} the caller
     * computed as it read them: a lookup without another pass over the bytes.
     */
    String get(byte[] bytes, int start, int length, int hash) {
        if (length > MAX_LENGTH) {
            return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        }
        int mask = names.length - 1;
        int home = (hash * 0x9E3779B9) >>> (32 - bits);
        int free = home;
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = (home + probe) & mask;
            byte[] key = keys[slot];
            if (key == null) {
                free = slot;
                break;
            }
            if (hashes[slot] == hash && same(key, bytes, start, length)) {
                return names[slot];
            }
        }
        String name = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        names[free] = name;
        hashes[free] = hash;
        byte[] old = keys[free];
        if (old != null && old.length == length) {
            System.arraycopy(bytes, start, old, 0, length); // a string of the same shape evicted
        } else {
            keys[free] = Arrays.copyOfRange(bytes, start, start + length);
        }
        return name;
    }

    /** The hash of {@link #get}: 31 times the hash so far plus each byte, from 0. */
    static int hash(byte[] bytes, int start, int length) {
        int hash = 0;
        for (int i = start, end = start + length; i < end; i++) {
            hash = 31 * hash + bytes[i];
        }
        return hash;
    }

    /**
     * True when {@code key} is the bytes {@code [start, start + length)}, which lie within {@code
     * bytes}; eight bytes at a time.
     */
    static boolean same(byte[] key, byte[] bytes, int start, int length) {
        if (key.length != length) {
            return false;
        }
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if ((long) LONGS.get(key, i) != (long) LONGS.get(bytes, start + i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (key[i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }
}
