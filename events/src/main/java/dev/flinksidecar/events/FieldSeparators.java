package dev.flinksidecar.events;

import java.util.Arrays;

/**
 * The bytes between the values of the previous line, by place: for the first field, from the
 * line's start to its value ({@code {"key":}); for each other field, from the end of the value
 * before it to its own value ({@code ,"time":}). The lines of a file mostly repeat these bytes, so
 * the next line's are first compared with them, a word or two at a time: when they are the same,
 * the parser moves straight to the value with the previous line's name, instead of reading white
 * space, a comma, a quoted name, a colon one byte at a time and looking the name up.
 *
 * <p>That gives what reading them would: the bytes are the same and the parser is in the same
 * state where they start (at the line's start, or right after a value of the same object), so it
 * would read the same name, up to the white space before the value, which is read on as ever (a
 * line can have more of it than the one before). Only separators whose name is plain ASCII
 * are kept ({@link JsonBytes#plainName}), so every skipped byte is ASCII and the line's UTF-8 check
 * ({@link JsonBytes#checkUtf8}) still sees all that it saw. One thread.
 */
final class FieldSeparators {

    /** Fields past this many are read the long way. */
    static final int FIELDS = 32;

    private final byte[][] separators = new byte[FIELDS][];
    private final long[] heads = new long[FIELDS]; // their first eight bytes (fewer when shorter)
    private final long[] tails = new long[FIELDS]; // their last eight bytes, when longer than 8
    private final String[] names = new String[FIELDS];
    private final int[] nameOffsets = new int[FIELDS]; // where the name's quote is in the bytes

    /** Where the name of the separator last skipped starts in the line: its opening quote. */
    int nameAt;

    /**
     * Moves {@code in} past the separator of field {@code field} when the bytes at its position are
     * the previous line's: the field's name, else null (and {@code in} has not moved).
     */
    String skip(JsonBytes in, int field) {
        if (field >= FIELDS) {
            return null;
        }
        byte[] separator = separators[field];
        int start = in.pos;
        if (separator == null || start + separator.length > in.end) {
            return null;
        }
        int length = separator.length;
        byte[] bytes = in.bytes;
        if (length <= 8) {
            if (Swar.word(bytes, start, length) != heads[field]) {
                return null;
            }
        } else if (Swar.longAt(bytes, start) != heads[field]
                || Swar.longAt(bytes, start + length - 8) != tails[field]
                || (length > 16
                        && !Arrays.equals(
                                separator, 8, length - 8, bytes, start + 8, start + length - 8))) {
            return null;
        }
        in.pos = start + length;
        in.skipSpace(); // this line may have more white space before its value than the last one
        nameAt = start + nameOffsets[field];
        return names[field];
    }

    /**
     * Keeps {@code bytes[from, to)} as the separator of field {@code field}, named {@code name}
     * whose quote is at {@code nameAt}: read the long way, plain ASCII.
     */
    void keep(byte[] bytes, int field, int from, int to, String name, int nameAt) {
        if (field >= FIELDS) {
            return;
        }
        int length = to - from;
        byte[] separator = separators[field];
        if (separator == null || separator.length != length) {
            separator = new byte[length];
            separators[field] = separator;
        }
        System.arraycopy(bytes, from, separator, 0, length);
        heads[field] = Swar.word(separator, 0, Math.min(length, 8));
        tails[field] = length > 8 ? Swar.word(separator, length - 8, 8) : 0;
        names[field] = name;
        nameOffsets[field] = nameAt - from;
    }
}
