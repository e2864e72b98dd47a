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
                readPlaces(2);
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
                readPlaces(11);
                return true;
            case 12:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                readPlaces(12);
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

    /**
     * Notes where the values of a repeated length-delimited field lie (2 keys, 11 string values, 12
     * payloads; UTF-8 checked but for payloads): this value, whose tag was read, and the values of
     * the same field right after it, in one loop (the writer puts them one after the other).
     */
    private void readPlaces(int field) throws InvalidProtocolBufferException {
        int[] places;
        int count;
        switch (field) {
            case 2:
                places = columns.keys;
                count = columns.keyCount;
                break;
            case 11:
                places = columns.stringValues;
                count = columns.stringValueCount;
                break;
            default:
                places = columns.payloads;
                count = columns.payloadCount;
        }
        boolean utf8 = field != 12;
        byte tag = (byte) (field << 3 | WireBuffer.LENGTH_DELIMITED); // one byte: field < 16
        byte[] b = bytes;
        while (true) {
            int length = readLength();
            if (utf8) {
                checkUtf8(pos, length);
            }
            if (2 * count + 2 > places.length) {
                places = Arrays.copyOf(places, capacity(places.length, 32, 4));
            }
            places[2 * count] = pos;
            places[2 * count + 1] = length;
            count++;
            pos += length;
            if (pos >= end || b[pos] != tag) {
                break;
            }
            pos++;
        }
        switch (field) {
            case 2:
                columns.keys = places;
                columns.keyCount = count;
                break;
            case 11:
                columns.stringValues = places;
                columns.stringValueCount = count;
                break;
            default:
                columns.payloads = places;
                columns.payloadCount = count;
        }
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

    /**
     * A repeated uint32 field (4, 7, 8 or 14): packed, its values are read in one loop into an
     * array grown once for all of them (a packed field of n bytes holds at most n values); one
     * unpacked value is appended.
     */
    private boolean readInts(int wireType, int field) throws InvalidProtocolBufferException {
        int limit = valuesEnd(wireType, WireBuffer.VARINT);
        if (limit == OTHER_WIRE_TYPE) {
            return false;
        }
        int[] values;
        int count;
        switch (field) {
            case 4:
                values = columns.types;
                count = columns.typeCount;
                break;
            case 7:
                values = columns.attributeCounts;
                count = columns.attributeCountCount;
                break;
            case 8:
                values = columns.attributeTags;
                count = columns.attributeTagCount;
                break;
            default:
                values = columns.interimPositions;
                count = columns.interimPositionCount;
        }
        if (limit < 0) {
            values = grow(values, count);
            values[count++] = (int) readVarint64(); // uint32: the low 32 bits of the varint
        } else {
            values = room(values, count, limit - pos);
            byte[] b = bytes;
            int p = pos;
            while (p < limit) {
                byte first = b[p];
                if (first >= 0) {
                    values[count++] = first;
                    p++;
                } else {
                    pos = p;
                    values[count++] = (int) readVarint64();
                    p = pos;
                }
            }
            pos = p;
            if (p != limit) {
                throw truncated();
            }
        }
        switch (field) {
            case 4:
                columns.types = values;
                columns.typeCount = count;
                break;
            case 7:
                columns.attributeCounts = values;
                columns.attributeCountCount = count;
                break;
            case 8:
                columns.attributeTags = values;
                columns.attributeTagCount = count;
                break;
            default:
                columns.interimPositions = values;
                columns.interimPositionCount = count;
        }
        return true;
    }

    /**
     * A repeated 64-bit varint field: 3 and 9 (sint64, zigzag) or 15 (uint64); packed or one
     * unpacked value, as {@link #readInts}.
     */
    private boolean readLongs(int wireType, int field) throws InvalidProtocolBufferException {
        int limit = valuesEnd(wireType, WireBuffer.VARINT);
        if (limit == OTHER_WIRE_TYPE) {
            return false;
        }
        long[] values;
        int count;
        switch (field) {
            case 3:
                values = columns.timeDeltas;
                count = columns.timeDeltaCount;
                break;
            case 9:
                values = columns.longValues;
                count = columns.longValueCount;
                break;
            default:
                values = columns.interimWatermarks;
                count = columns.interimWatermarkCount;
        }
        boolean zigzag = field != 15;
        if (limit < 0) {
            values = grow(values, count);
            long value = readVarint64();
            values[count++] = zigzag ? (value >>> 1) ^ -(value & 1) : value;
        } else {
            values = room(values, count, limit - pos);
            while (pos < limit) {
                long value = readVarint64();
                values[count++] = zigzag ? (value >>> 1) ^ -(value & 1) : value;
            }
            if (pos != limit) {
                throw truncated();
            }
        }
        switch (field) {
            case 3:
                columns.timeDeltas = values;
                columns.timeDeltaCount = count;
                break;
            case 9:
                columns.longValues = values;
                columns.longValueCount = count;
                break;
            default:
                columns.interimWatermarks = values;
                columns.interimWatermarkCount = count;
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
        if (limit < 0) {
            require(8);
            limit = pos + 8;
        }
        int count = columns.doubleValueCount;
        double[] values = columns.doubleValues;
        if (count + (limit - pos) / 8 > values.length) {
            values = Arrays.copyOf(values, counted(Math.max(16, count + (limit - pos) / 8), 8));
        }
        while (pos < limit) {
            values[count++] = Double.longBitsToDouble(readFixed64());
        }
        columns.doubleValues = values;
        columns.doubleValueCount = count;
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

    /** {@code array}, or a copy grown to hold {@code more} entries after {@code count}. */
    private int[] room(int[] array, int count, int more)
            throws EventBatchColumns.HeapLimitException {
        return count + more <= array.length
                ? array
                : Arrays.copyOf(array, counted(Math.max(16, count + more), 4));
    }

    private long[] room(long[] array, int count, int more)
            throws EventBatchColumns.HeapLimitException {
        return count + more <= array.length
                ? array
                : Arrays.copyOf(array, counted(Math.max(16, count + more), 8));
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
        return counted(Math.max(least, count * 2), elementBytes);
    }

    /** {@code capacity}, counted as allocated at {@code elementBytes} an entry. */
    private int counted(int capacity, int elementBytes)
            throws EventBatchColumns.HeapLimitException {
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
