package dev.flinksidecar.sidecar.state;

import java.nio.charset.StandardCharsets;

/**
 * Reads the state format from a byte array, the inverse of {@link StateBuffer}. Every read that
 * would pass the end, and every value out of range, throws a {@link StateFormatException} that
 * says where in the state it happened ({@link #at}).
 */
final class StateCursor {

    private final byte[] bytes;
    private int position;
    private String where = "the format version";

    StateCursor(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Names the part being read, for messages, e.g. {@code window 2 of rule 'sum'}. */
    void at(String part) {
        where = part;
    }

    int position() {
        return position;
    }

    int remaining() {
        return bytes.length - position;
    }

    byte[] bytes() {
        return bytes;
    }

    int readByte() throws StateFormatException {
        need(1);
        return bytes[position++] & 0xFF;
    }

    long readVarint() throws StateFormatException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            long b = readByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw corrupt("a varint longer than 10 bytes");
    }

    long readZigzag() throws StateFormatException {
        long raw = readVarint();
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** A varint that must fit {@code 0..max}; {@code what} names it in the message. */
    int readLength(String what, int max) throws StateFormatException {
        long value = readVarint();
        if (value < 0 || value > max) {
            throw corrupt(what + " " + Long.toUnsignedString(value) + " is out of range (0.." + max + ")");
        }
        return (int) value;
    }

    int readInt() throws StateFormatException {
        need(4);
        int value = ((bytes[position] & 0xFF) << 24) | ((bytes[position + 1] & 0xFF) << 16) | ((bytes[position + 2] & 0xFF) << 8)
                | (bytes[position + 3] & 0xFF);
        position += 4;
        return value;
    }

    String readString() throws StateFormatException {
        int length = readSize();
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /** 0 for null, else the length + 1 and the bytes. */
    String readOptionalString() throws StateFormatException {
        long coded = readVarint();
        if (coded == 0) {
            return null;
        }
        int length = checkSize(coded - 1);
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
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
    void skip(int length) {
        position += length;
    }

    StateFormatException corrupt(String problem) {
        return new StateFormatException("the state is corrupt: " + problem + " (in " + where + ", at byte " + position + ")");
    }

    private void need(int count) throws StateFormatException {
        if (bytes.length - position < count) {
            throw truncated();
        }
    }

    private StateFormatException truncated() {
        return new StateFormatException("the state is truncated: it ends inside " + where + " (" + bytes.length + " bytes)");
    }
}
