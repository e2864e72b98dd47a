package dev.flinksidecar.sidecar.state;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of the state format as they are written, reused from key to key: varints and zigzag
 * values by protobuf-java's {@link CodedOutputStream} (the bytes protobuf writes for {@code uint64}
 * and {@code sint64}, which the format's were from the start), four-byte ints big-endian, strings
 * as a length and UTF-8. One thread.
 *
 * <p>The coded stream buffers; it flushes into a growable array here whenever the bytes are looked
 * at ({@link #size}, {@link #toByteArray}, {@link #write(StateBuffer)}). Writing into memory cannot
 * fail: an {@link IOException} from the stream would be a bug, and surfaces as an {@link
 * UncheckedIOException}.
 */
final class StateBuffer extends OutputStream {

    private final Bytes bytes;
    private final CodedOutputStream out;

    StateBuffer(int capacity) {
        bytes = new Bytes(capacity);
        out = CodedOutputStream.newInstance(bytes, Math.min(capacity, 4096));
    }

    void reset() {
        flush();
        bytes.size = 0;
    }

    int size() {
        flush();
        return bytes.size;
    }

    @Override
    public void write(int b) {
        try {
            out.writeRawByte((byte) b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            out.writeRawBytes(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends what {@code other} holds. */
    void write(StateBuffer other) {
        other.flush();
        write(other.bytes.array, 0, other.bytes.size);
    }

    /** An unsigned varint: the 64 bits of {@code value} taken as unsigned. */
    void writeVarint(long value) {
        try {
            out.writeUInt64NoTag(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A signed value, zigzag-encoded so that small negative numbers stay short. */
    void writeZigzag(long value) {
        try {
            out.writeSInt64NoTag(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Four bytes, big-endian (protobuf's fixed32 is little-endian: not the format's). */
    void writeInt(int value) {
        write(value >>> 24);
        write(value >>> 16);
        write(value >>> 8);
        write(value);
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
        flush();
        return Arrays.copyOf(bytes.array, bytes.size);
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the coded stream's bytes land: a growable array. */
    private static final class Bytes extends OutputStream {
        byte[] array;
        int size;

        Bytes(int capacity) {
            array = new byte[capacity];
        }

        @Override
        public void write(int b) {
            ensure(1);
            array[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, array, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > array.length) {
                array = Arrays.copyOf(array, Math.max(array.length * 2, size + more));
            }
        }
    }
}
