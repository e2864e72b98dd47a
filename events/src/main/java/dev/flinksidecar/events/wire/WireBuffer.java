package dev.flinksidecar.events.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that protobuf's wire format is written into by hand: varints, zig-zag
 * varints, little-endian fixed64, tags, and length-delimited strings and bytes, each exactly as
 * protobuf-java's {@code CodedOutputStream} writes them (so the bytes equal those of the generated
 * classes). Reused after {@link #clear()}; not thread-safe.
 *
 * <p>Strings: one that is ASCII and shorter than 128 characters (keys, names, most values) is
 * copied char by char behind a one-byte length; any other goes through {@link
 * String#getBytes(java.nio.charset.Charset)}, which is also what protobuf-java falls back to for a
 * string with an unpaired surrogate (written as {@code '?'}).
 */
final class WireBuffer {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;

    private byte[] bytes;
    private int size;

    WireBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    /** Bytes written since the last {@link #clear()}. */
    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** Copies the bytes written into {@code target} at {@code offset}; returns the end offset. */
    int copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, size);
        return offset + size;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
        }
    }

    void tag(int field, int wireType) {
        varint32(field << 3 | wireType);
    }

    /** An unsigned 32-bit varint ({@code uint32}, lengths, tags). */
    void varint32(int value) {
        ensure(5);
        byte[] b = bytes;
        int p = size;
        while ((value & ~0x7F) != 0) {
            b[p++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        b[p++] = (byte) value;
        size = p;
    }

    /** A 64-bit varint ({@code uint64}, {@code int64}: a negative one takes ten bytes). */
    void varint64(long value) {
        ensure(10);
        byte[] b = bytes;
        int p = size;
        while ((value & ~0x7FL) != 0) {
            b[p++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        b[p++] = (byte) value;
        size = p;
    }

    /** A {@code sint64}: zig-zag, then varint. */
    void sint64(long value) {
        varint64((value << 1) ^ (value >> 63));
    }

    /** A {@code double} or {@code fixed64}: eight bytes, little-endian. */
    void fixed64(long value) {
        ensure(8);
        byte[] b = bytes;
        int p = size;
        for (int i = 0; i < 8; i++) {
            b[p + i] = (byte) (value >>> (8 * i));
        }
        size = p + 8;
    }

    /** A whole string field: tag, UTF-8 length, UTF-8 bytes. */
    void string(int field, String value) {
        tag(field, LENGTH_DELIMITED);
        int n = value.length();
        if (n < 128) {
            ensure(1 + n);
            byte[] b = bytes;
            int start = size;
            int p = start + 1;
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    utf8(value);
                    return;
                }
                b[p++] = (byte) c;
            }
            b[start] = (byte) n;
            size = p;
        } else {
            utf8(value);
        }
    }

    private void utf8(String value) {
        bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A length and bytes, after a tag the caller wrote. */
    void bytes(byte[] value) {
        varint32(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
    }

    /** A whole bytes field: tag, length, bytes. */
    void bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        bytes(value);
    }

    /** A whole empty bytes field: tag and length 0. */
    void emptyBytes(int field) {
        tag(field, LENGTH_DELIMITED);
        varint32(0);
    }

    /** Appends {@code other}'s bytes as they are (whole fields it holds). */
    void append(WireBuffer other) {
        ensure(other.size);
        size = other.copyTo(bytes, size);
    }

    /**
     * A packed repeated field from {@code column}'s bytes (tag, length, elements); nothing when
     * {@code column} is empty, as protobuf writes an empty packed field.
     */
    void packed(int field, WireBuffer column) {
        if (column.size == 0) {
            return;
        }
        tag(field, LENGTH_DELIMITED);
        varint32(column.size);
        ensure(column.size);
        size = column.copyTo(bytes, size);
    }

    /** The bytes of an unsigned 32-bit varint of {@code value}. */
    static int varint32Size(int value) {
        if ((value & ~0x7F) == 0) {
            return 1;
        } else if ((value & (~0 << 14)) == 0) {
            return 2;
        } else if ((value & (~0 << 21)) == 0) {
            return 3;
        } else if ((value & (~0 << 28)) == 0) {
            return 4;
        }
        return 5;
    }
}
