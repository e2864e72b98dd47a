package dev.flinksidecar.events.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the bytes of one {@code EventBatch} into its {@link EventBatchColumns}, in one pass, as
 * that class describes: the wire format (tags, varints, lengths, packed fields, UTF-8) and the
 * growth of the columns, whose heap it counts against a limit. One instance per batch.
 */
final class EventBatchReader {

    /** Bytes of an array's header, and of a String object with its array's header (64-bit JVM). */
    private static final int ARRAY = 16;

    private static final int STRING = 24;

    private final byte[] bytes;
    private int pos;
    private final int end;
    private final long heapLimit;
    private final EventBatchColumns columns;

    EventBatchReader(byte[] bytes, int offset, int length, long heapLimit) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
        this.heapLimit = heapLimit;
        this.columns = new EventBatchColumns(bytes);
    }

    /** The columns of the whole batch. */
    EventBatchColumns read() throws InvalidProtocolBufferException {
        readFields();
        return columns;
    }

    private void readFields() throws InvalidProtocolBufferException {
        while (pos < end) {
            int tag = readVarint32();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (field == 0) {
                throw malformed("a field number is 0");
            }
            if (!readKnown(field, wireType)) {
                skip(field, wireType);
            }
        }
        if (pos != end) {
            throw truncated();
        }
    }

    /** Reads one field it knows; false when the field is unknown or of another wire type. */
    private boolean readKnown(int field, int wireType) throws InvalidProtocolBufferException {
        switch (field) {
            case 1:
                if (wireType != WireBuffer.VARINT) {
                    return false;
                }
                columns.sequence = readVarint64();
                return true;
            case 2:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                columns.keys = place(columns.keys, columns.keyCount++, true);
                return true;
            case 3:
                return readLongs(wireType, 3);
            case 4:
                return readInts(wireType, 4);
            case 5:
            case 6:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                int length = readLength();
                checkUtf8(pos, length);
                allocated(STRING + ARRAY + length);
                String name = EventBatchColumns.string(bytes, pos, length);
                pos += length;
                if (field == 5) {
                    columns.typeNames = grow(columns.typeNames, columns.typeNameCount);
                    columns.typeNames[columns.typeNameCount++] = name;
                } else {
                    columns.attributeNames =
                            grow(columns.attributeNames, columns.attributeNameCount);
                    columns.attributeNames[columns.attributeNameCount++] = name;
                }
                return true;
            case 7:
                return readInts(wireType, 7);
            case 8:
                return readInts(wireType, 8);
            case 9:
                return readLongs(wireType, 9);
            case 10:
                return readDoubles(wireType);
            case 11:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                columns.stringValues =
                        place(columns.stringValues, columns.stringValueCount++, true);
                return true;
            case 12:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                columns.payloads = place(columns.payloads, columns.payloadCount++, false);
                return true;
            case 13:
                if (wireType != WireBuffer.VARINT) {
                    return false;
                }
                columns.hasWatermark = true;
                columns.watermark = readVarint64();
                return true;
            case 14:
                return readInts(wireType, 14);
            case 15:
                return readLongs(wireType, 15);
            default:
                return false;
        }
    }

    /** Notes the place of a length-delimited value at index {@code index} of {@code places}. */
    private int[] place(int[] places, int index, boolean utf8)
            throws InvalidProtocolBufferException {
        int length = readLength();
        if (utf8) {
            checkUtf8(pos, length);
        }
        if (2 * index + 2 > places.length) {
            places = Arrays.copyOf(places, capacity(places.length, 32, 4));
        }
        places[2 * index] = pos;
        places[2 * index + 1] = length;
        pos += length;
        return places;
    }

    /** A value of {@link #valuesEnd}: the field has another wire type, it is not read. */
    private static final int OTHER_WIRE_TYPE = -2;

    /**
     * Where the values of a repeated number field end: for a packed field, the end of its bytes
     * (its length read); {@code -1} for one value of {@code unpacked} wire type; {@link
     * #OTHER_WIRE_TYPE} for any other wire type.
     */
    private int valuesEnd(int wireType, int unpacked) throws InvalidProtocolBufferException {
        if (wireType == WireBuffer.LENGTH_DELIMITED) {
            int length = readLength();
            return pos + length;
        }
        return wireType == unpacked ? -1 : OTHER_WIRE_TYPE;
    }

    private boolean readInts(int wireType, int field) throws InvalidProtocolBufferException {
        int limit = valuesEnd(wireType, WireBuffer.VARINT);
        if (limit == OTHER_WIRE_TYPE) {
            return false;
        }
        if (limit == pos) {
            return true; // an empty packed field: valid, no entries
        }
        do {
            int value = (int) readVarint64(); // uint32: the low 32 bits of the varint
            switch (field) {
                case 4:
                    columns.types = grow(columns.types, columns.typeCount);
                    columns.types[columns.typeCount++] = value;
                    break;
                case 7:
                    columns.attributeCounts =
                            grow(columns.attributeCounts, columns.attributeCountCount);
                    columns.attributeCounts[columns.attributeCountCount++] = value;
                    break;
                case 8:
                    columns.attributeTags = grow(columns.attributeTags, columns.attributeTagCount);
                    columns.attributeTags[columns.attributeTagCount++] = value;
                    break;
                default:
                    columns.interimPositions =
                            grow(columns.interimPositions, columns.interimPositionCount);
                    columns.interimPositions[columns.interimPositionCount++] = value;
            }
        } while (pos < limit);
        if (limit >= 0 && pos != limit) {
            throw truncated();
        }
        return true;
    }

    private boolean readLongs(int wireType, int field) throws InvalidProtocolBufferException {
        int limit = valuesEnd(wireType, WireBuffer.VARINT);
        if (limit == OTHER_WIRE_TYPE) {
            return false;
        }
        if (limit == pos) {
            return true;
        }
        do {
            long value = readVarint64();
            switch (field) {
                case 3:
                    columns.timeDeltas = grow(columns.timeDeltas, columns.timeDeltaCount);
                    columns.timeDeltas[columns.timeDeltaCount++] = (value >>> 1) ^ -(value & 1);
                    break;
                case 9:
                    columns.longValues = grow(columns.longValues, columns.longValueCount);
                    columns.longValues[columns.longValueCount++] = (value >>> 1) ^ -(value & 1);
                    break;
                default:
                    columns.interimWatermarks =
                            grow(columns.interimWatermarks, columns.interimWatermarkCount);
                    columns.interimWatermarks[columns.interimWatermarkCount++] = value;
            }
        } while (pos < limit);
        if (limit >= 0 && pos != limit) {
            throw truncated();
        }
        return true;
    }

    private boolean readDoubles(int wireType) throws InvalidProtocolBufferException {
        int limit = valuesEnd(wireType, WireBuffer.FIXED64);
        if (limit == OTHER_WIRE_TYPE) {
            return false;
        }
        if (limit >= 0 && (limit - pos) % 8 != 0) {
            throw malformed("a packed double field is " + (limit - pos) + " bytes long");
        }
        if (limit == pos) {
            return true;
        }
        do {
            if (end - pos < 8) {
                throw truncated();
            }
            columns.doubleValues = grow(columns.doubleValues, columns.doubleValueCount);
            columns.doubleValues[columns.doubleValueCount++] =
                    Double.longBitsToDouble(readFixed64());
        } while (pos < limit);
        return true;
    }

    private void skip(int field, int wireType) throws InvalidProtocolBufferException {
        switch (wireType) {
            case WireBuffer.VARINT:
                readVarint64();
                break;
            case WireBuffer.FIXED64:
                require(8);
                pos += 8;
                break;
            case WireBuffer.LENGTH_DELIMITED:
                int length = readLength(); // moves pos: add it after
                pos += length;
                break;
            case 3: // start of a group: skip to its end
                while (true) {
                    if (pos >= end) {
                        throw truncated();
                    }
                    int tag = readVarint32();
                    if ((tag & 7) == 4) {
                        if (tag >>> 3 != field) {
                            throw malformed("a group ends with the wrong field number");
                        }
                        return;
                    }
                    if (tag >>> 3 == 0) {
                        throw malformed("a field number is 0");
                    }
                    skip(tag >>> 3, tag & 7);
                }
            case 5:
                require(4);
                pos += 4;
                break;
            default:
                throw malformed("field " + field + " has the invalid wire type " + wireType);
        }
    }

    private int readLength() throws InvalidProtocolBufferException {
        int length = readVarint32();
        if (length < 0) {
            throw malformed("a length is negative");
        }
        require(length);
        return length;
    }

    private void require(int bytesLeft) throws InvalidProtocolBufferException {
        if (end - pos < bytesLeft) {
            throw truncated();
        }
    }

    private int readVarint32() throws InvalidProtocolBufferException {
        return (int) readVarint64();
    }

    private long readVarint64() throws InvalidProtocolBufferException {
        byte[] b = bytes;
        int p = pos;
        if (p < end && b[p] >= 0) {
            pos = p + 1;
            return b[p];
        }
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                throw truncated();
            }
            byte x = b[p++];
            result |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return result;
            }
        }
        throw malformed("a varint is longer than ten bytes");
    }

    private long readFixed64() {
        byte[] b = bytes;
        int p = pos;
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = value << 8 | (b[p + i] & 0xFFL);
        }
        pos = p + 8;
        return value;
    }

    private void checkUtf8(int offset, int length) throws InvalidProtocolBufferException {
        byte[] b = bytes;
        for (int i = offset, e = offset + length; i < e; i++) {
            if (b[i] < 0) {
                try {
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(b, offset, length));
                } catch (CharacterCodingException e2) {
                    throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
                }
                return;
            }
        }
    }

    private int[] grow(int[] array, int count) throws EventBatchColumns.HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 16, 4));
    }

    private long[] grow(long[] array, int count) throws EventBatchColumns.HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 16, 8));
    }

    private double[] grow(double[] array, int count) throws EventBatchColumns.HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 16, 8));
    }

    private String[] grow(String[] array, int count) throws EventBatchColumns.HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 8, 4));
    }

    /**
     * The capacity an array of {@code count} entries grows to (at least {@code least}), counted as
     * allocated at {@code elementBytes} an entry.
     */
    private int capacity(int count, int least, int elementBytes)
            throws EventBatchColumns.HeapLimitException {
        int capacity = Math.max(least, count * 2);
        allocated(ARRAY + (long) elementBytes * capacity);
        return capacity;
    }

    /**
     * Counts heap the columns take; over the limit the reading stops. A grown array counts whole
     * and the one it replaced stays counted, so the count bounds what was ever allocated.
     */
    private void allocated(long bytes) throws EventBatchColumns.HeapLimitException {
        columns.heapBytes += bytes;
        if (columns.heapBytes > heapLimit) {
            throw new EventBatchColumns.HeapLimitException(columns.heapBytes, heapLimit);
        }
    }

    private static InvalidProtocolBufferException truncated() {
        return new InvalidProtocolBufferException(
                "an EventBatch ends in the middle of a field, or a length points past its end");
    }

    private static InvalidProtocolBufferException malformed(String what) {
        return new InvalidProtocolBufferException("an EventBatch is malformed: " + what);
    }
}
