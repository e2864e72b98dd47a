package dev.flinksidecar.sidecar.state;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that the state format is written into, reused from key to key: varints
 * as protobuf writes them (7 bits a byte, low first), zigzag for signed values, strings as a
 * length and UTF-8. One thread.
 */
final class StateBuffer extends OutputStream {

    private byte[] bytes;
    private int size;

    StateBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    void reset() {
        size = 0;
    }

    int size() {
        return size;
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Appends what {@code other} holds. */
    void write(StateBuffer other) {
        write(other.bytes, 0, other.size);
    }

    /** An unsigned varint: the 64 bits of {@code value} taken as unsigned. */
    void writeVarint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    /** A signed value, zigzag-encoded so that small negative numbers stay short. */
    void writeZigzag(long value) {
        writeVarint((value << 1) ^ (value >> 63));
    }

    /** Four bytes, big-endian. */
    void writeInt(int value) {
        ensure(4);
        bytes[size++] = (byte) (value >>> 24);
        bytes[size++] = (byte) (value >>> 16);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
    }

    void writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeVarint(utf8.length);
        write(utf8, 0, utf8.length);
    }

    /** 0 for null, else the length + 1 and the UTF-8 bytes. */
    void writeOptionalString(String value) {
        if (value == null) {
            writeVarint(0);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeVarint(utf8.length + 1L);
        write(utf8, 0, utf8.length);
    }

    /** A copy of the bytes written, exactly as long. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
