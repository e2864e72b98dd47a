package dev.flinksidecar.operator.types;

import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Strings in the layout of Flink's {@link StringValue#writeString} (a variable-length number, the
 * length plus one, 0 for null; then each char as a variable-length number), without {@link
 * StringValue}'s thread-local buffer and its char-by-char decoding. Most strings of events are
 * ASCII, one byte per char: those go through a scratch array (written in one {@code write}, read
 * byte by byte when short and in one {@code readFully} when long) and become a string in one step;
 * any other char falls back to the char-by-char layout. The bytes are exactly {@link
 * StringValue}'s, so what either writes the other reads.
 *
 * <p>Each instance has a scratch array: one instance per serializer instance (one thread).
 */
final class StringValueCodec {

    /**
     * Strings up to this many bytes are read byte by byte: Flink's network buffers are off-heap,
     * and their {@code readFully} is a copy through {@code Unsafe} whose fixed cost outweighs a few
     * inlined byte reads (measured with JFR on JobComparison: keys, types and names are short).
     */
    private static final int SHORT = 32;

    private byte[] scratch = new byte[64];

    /** Writes {@code s} (may be null). */
    void write(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        int length = s.length();
        byte[] bytes = room(length + 5);
        int at = varint(length + 1, bytes, 0);
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                out.write(bytes, 0, at);
                writeChars(s, i, out);
                return;
            }
            bytes[at++] = (byte) c;
        }
        out.write(bytes, 0, at);
    }

    /** The chars of {@code s} from {@code from} on, each a variable-length number. */
    private static void writeChars(String s, int from, DataOutputView out) throws IOException {
        for (int i = from; i < s.length(); i++) {
            int c = s.charAt(i);
            while (c >= 0x80) {
                out.writeByte(c & 0x7F | 0x80);
                c >>>= 7;
            }
            out.writeByte(c);
        }
    }

    /** Reads a string (or null). */
    String read(DataInputView in) throws IOException {
        return read(in, null);
    }

    /**
     * Reads a string (or null): one of {@code recent} itself when the bytes spell it, else a new
     * string that then takes the place of the oldest of {@code recent}. For the few values a field
     * takes over and over (an event type), so that equal values are one instance, whose hash is
     * computed once.
     */
    String readRecent(DataInputView in, String[] recent) throws IOException {
        String last = recent[0];
        String s = read(in, last);
        if (s == null || s == last) {
            return s;
        }
        for (int i = 1; i < recent.length; i++) {
            String known = recent[i];
            if (known != null && known.equals(s)) {
                recent[i] = last;
                recent[0] = known;
                return known;
            }
        }
        System.arraycopy(recent, 0, recent, 1, recent.length - 1);
        recent[0] = s;
        return s;
    }

    /** Reads a string (or null): {@code expected} itself when the bytes spell it. */
    String read(DataInputView in, String expected) throws IOException {
        int length = readVarint(in) - 1;
        if (length < 0) {
            return null;
        }
        // every char takes at least one byte, so reading length bytes never reads past the string
        byte[] bytes = room(length);
        if (length > SHORT) {
            in.readFully(bytes, 0, length);
        } else {
            for (int i = 0; i < length; i++) {
                bytes[i] = in.readByte();
            }
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] < 0) {
                return decodeRest(in, bytes, length, i);
            }
        }
        if (expected != null && expected.length() == length) {
            int i = 0;
            while (i < length && expected.charAt(i) == bytes[i]) {
                i++;
            }
            if (i == length) {
                return expected;
            }
        }
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * A string with a char of two or more bytes: the ASCII chars before {@code from} are as read,
     * the rest decoded char by char from the bytes read, then from {@code in}.
     */
    private static String decodeRest(DataInputView in, byte[] bytes, int length, int from)
            throws IOException {
        char[] chars = new char[length];
        for (int i = 0; i < from; i++) {
            chars[i] = (char) bytes[i];
        }
        int at = from;
        for (int i = from; i < length; i++) {
            int c = 0;
            for (int shift = 0; ; shift += 7) {
                int b = at < length ? bytes[at++] & 0xFF : in.readUnsignedByte();
                if (shift > 14) {
                    throw new UTFDataFormatException("a char of a string takes more than 3 bytes");
                }
                c |= (b & 0x7F) << shift;
                if (b < 0x80) {
                    break;
                }
            }
            chars[i] = (char) c;
        }
        return new String(chars);
    }

    /** {@link StringValue}'s variable-length number: seven bits a byte, low bits first. */
    static int readVarint(DataInputView in) throws IOException {
        int value = in.readUnsignedByte();
        if (value >= 0x80) {
            value &= 0x7F;
            int shift = 7;
            int next;
            while ((next = in.readUnsignedByte()) >= 0x80) {
                value |= (next & 0x7F) << shift;
                shift += 7;
            }
            value |= next << shift;
        }
        return value;
    }

    private static int varint(int value, byte[] bytes, int at) {
        while (value >= 0x80) {
            bytes[at++] = (byte) (value & 0x7F | 0x80);
            value >>>= 7;
        }
        bytes[at++] = (byte) value;
        return at;
    }

    private byte[] room(int bytes) {
        if (scratch.length < bytes) {
            scratch = new byte[Math.max(bytes, scratch.length * 2)];
        }
        return scratch;
    }
}
