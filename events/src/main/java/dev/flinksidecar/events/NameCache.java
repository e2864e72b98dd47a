package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Short ASCII strings of event lines by their bytes: a file's field names repeat on every line, and
 * so do many values (a type, a country, a merchant, a card), so each becomes a string once, not
 * once per line ({@code EventLineParserTest} guards the bytes allocated per event). A table of
 * {@code 2^bits} strings, probed linearly a few slots from a string's own; when those are taken,
 * the new string replaces the one in its own slot, so the table stays its size whatever the input
 * holds. Plain ASCII only. One thread.
 *
 * <p>A string is looked up by its first and last eight bytes, read as two words ({@link
 * Swar#word}), and its length: for strings of up to 16 bytes the two words are all of its bytes, so
 * a hit costs two word comparisons and neither a pass over the bytes nor a look at another array;
 * only longer strings compare their middle bytes with a copy kept for them.
 */
final class NameCache {

    /** The size of a table of field names: {@value}. */
    static final int SIZE = 1 << 8;

    /**
     * Slots looked at for a name, from its own: a few names that share a slot do not evict each
     * other.
     */
    private static final int PROBES = 4;

    /** Longer names are made each time, not kept. */
    static final int MAX_LENGTH = 32;

    /** Strings up to this long are wholly in their {@link #heads} and {@link #tails}. */
    private static final int IN_WORDS = 16;

    private final int bits;
    private final String[] names;
    private final int[] lengths;
    private final long[] heads; // the first eight bytes (fewer when shorter, zero above)
    private final long[] tails; // the last eight bytes of a string longer than eight, else 0
    private final byte[][] keys; // the bytes of a string longer than IN_WORDS, else null

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
        this.lengths = new int[1 << bits];
        this.heads = new long[1 << bits];
        this.tails = new long[1 << bits];
        this.keys = new byte[1 << bits][];
    }

    /** The string of ASCII bytes {@code [start, start + length)}. */
    String get(byte[] bytes, int start, int length) {
        if (length > MAX_LENGTH) {
            return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        }
        long head = Swar.word(bytes, start, Math.min(length, 8));
        long tail = length > 8 ? Swar.word(bytes, start + length - 8, 8) : 0;
        long mixed = (head + length) * 0x9E3779B97F4A7C15L ^ tail * 0xC2B2AE3D27D4EB4FL;
        int home = (int) ((mixed ^ mixed >>> 29) * 0x9E3779B97F4A7C15L >>> (64 - bits));
        int mask = names.length - 1;
        int free = home;
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = (home + probe) & mask;
            if (names[slot] == null) {
                free = slot;
                break;
            }
            if (heads[slot] == head
                    && tails[slot] == tail
                    && lengths[slot] == length
                    && (length <= IN_WORDS || same(keys[slot], bytes, start, length))) {
                return names[slot];
            }
        }
        String name = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        names[free] = name;
        lengths[free] = length;
        heads[free] = head;
        tails[free] = tail;
        keys[free] = length > IN_WORDS ? Arrays.copyOfRange(bytes, start, start + length) : null;
        return name;
    }

    /** True when {@code key} is the bytes {@code [start, start + key.length)} of {@code bytes}. */
    private static boolean same(byte[] key, byte[] bytes, int start, int length) {
        return Arrays.equals(key, 0, length, bytes, start, start + length);
    }
}
