package dev.flinksidecar.sidecar.state;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the state format from a byte array, the inverse of {@link StateBuffer}: varints and zigzag
 * values by protobuf-java's {@link CodedInputStream}, the rest here. Every read that would pass the
 * end, and every value out of range, throws a {@link StateFormatException} that says where in the
 * state it happened ({@link #at}); no other exception leaves it, whatever the bytes.
 */
final class StateCursor {

    private final byte[] bytes;
    private final CodedInputStream in;
    private String where = "the format version";

    StateCursor(byte[] bytes) {
        this.bytes = bytes;
        this.in = CodedInputStream.newInstance(bytes);
    }

    /** Names the part being read, for messages, e.g. {@code window 2 of rule 'sum'}. */
    void at(String part) {
        where = part;
    }

    int position() {
        return in.getTotalBytesRead();
    }

    int remaining() {
        return bytes.length - position();
    }

    byte[] bytes() {
        return bytes;
    }

    int readByte() throws StateFormatException {
        need(1);
        try {
            return in.readRawByte() & 0xFF;
        } catch (IOException e) {
            throw truncated();
        }
    }

    long readVarint() throws StateFormatException {
        int start = position();
        try {
            return in.readRawVarint64();
        } catch (IOException e) {
            // All bytes left had their continuation bit: cut; else ten bytes of it: corrupt.
            throw bytes.length - start < 10
                    ? truncated()
                    : corrupt("a varint longer than 10 bytes");
        }
    }

    long readZigzag() throws StateFormatException {
        return CodedInputStream.decodeZigZag64(readVarint());
    }

    /** A varint that must fit {@code 0..max}; {@code what} names it in the message. */
    int readLength(String what, int max) throws StateFormatException {
        long value = readVarint();
        if (value < 0 || value > max) {
            throw corrupt(
                    what
                            + " "
                            + Long.toUnsignedString(value)
                            + " is out of range (0.."
                            + max
                            + ")");
        }
        return (int) value;
    }

    /** Four bytes, big-endian. */
    int readInt() throws StateFormatException {
        need(4);
        return readByte() << 24 | readByte() << 16 | readByte() << 8 | readByte();
    }

    String readString() throws StateFormatException {
        int length = readSize();
        String value = new String(bytes, position(), length, StandardCharsets.UTF_8);
        skip(length);
        return value;
    }

    /** 0 for null, else the length + 1 and the bytes. */
    String readOptionalString() throws StateFormatException {
        long coded = readVarint();
        if (coded == 0) {
            return null;
        }
        int length = checkSize(coded - 1);
        String value = new String(bytes, position(), length, StandardCharsets.UTF_8);
        skip(length);
        return value;
    }

    /** A varint length of bytes that follow, which must all be there. */
    int readSize() throws StateFormatException {
        return checkSize(readVarint());
    }

    /** {@code length} as an int, once it is known that so many bytes follow. */
    int checkSize(long length) throws StateFormatException {
        if (length < 0 || length > remaining()) {
            throw truncated();
        }
        return (int) length;
    }

    /** Skips {@code length} bytes (checked by the caller against {@link #remaining()}). */
    void skip(int length) throws StateFormatException {
        try {
            in.skipRawBytes(length);
        } catch (IOException e) {
            throw truncated();
        }
    }

    StateFormatException corrupt(String problem) {
        return new StateFormatException(
                "the state is corrupt: "
                        + problem
                        + " (in "
                        + where
                        + ", at byte "
                        + position()
                        + ")");
    }

    private void need(int count) throws StateFormatException {
        if (remaining() < count) {
            throw truncated();
        }
    }

    private StateFormatException truncated() {
        return new StateFormatException(
                "the state is truncated: it ends inside "
                        + where
                        + " ("
                        + bytes.length
                        + " bytes)");
    }
}
