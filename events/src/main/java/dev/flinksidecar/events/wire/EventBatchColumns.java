package dev.flinksidecar.events.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The columns of one encoded {@code EventBatch} (event.proto), read straight from its bytes in one
 * pass: numbers into primitive arrays, strings and payloads as places in the bytes (turned into
 * objects only when asked for, see {@link EventBatchView}), the two dictionaries as strings. No
 * generated message is made.
 *
 * <p>Reads what protobuf-java's parser reads: fields in any order, a repeated number field packed
 * or not and in any number of pieces, the last value of a singular field, unknown fields (groups
 * included) skipped, a known field of another wire type skipped as unknown. Strings must be valid
 * UTF-8, as the generated parser demands of proto3 strings. Bytes that are not an {@code
 * EventBatch} fail with an {@link InvalidProtocolBufferException}. Whether the columns add up is
 * not checked here: {@link EventBatchView} does that.
 *
 * <p>Immutable once read, but the {@code bytes} array is the caller's: it must not change while the
 * columns are in use. Threads: any.
 */
public final class EventBatchColumns {

    private static final int[] NO_INTS = new int[0];
    private static final long[] NO_LONGS = new long[0];
    private static final double[] NO_DOUBLES = new double[0];
    private static final String[] NO_STRINGS = new String[0];

    final byte[] bytes;
    long sequence;
    boolean hasWatermark;
    long watermark;

    /** Per string or payload: offset in {@link #bytes}, length. */
    int[] keys = NO_INTS;

    int keyCount;
    long[] timeDeltas = NO_LONGS;
    int timeDeltaCount;
    int[] types = NO_INTS;
    int typeCount;
    String[] typeNames = NO_STRINGS;
    int typeNameCount;
    String[] attributeNames = NO_STRINGS;
    int attributeNameCount;
    int[] attributeCounts = NO_INTS;
    int attributeCountCount;
    int[] attributeTags = NO_INTS;
    int attributeTagCount;
    long[] longValues = NO_LONGS;
    int longValueCount;
    double[] doubleValues = NO_DOUBLES;
    int doubleValueCount;
    int[] stringValues = NO_INTS;
    int stringValueCount;
    int[] payloads = NO_INTS;
    int payloadCount;
    int[] interimPositions = NO_INTS;
    int interimPositionCount;
    long[] interimWatermarks = NO_LONGS;
    int interimWatermarkCount;

    private int pos;
    private final int end;

    /**
     * Heap of this object's own arrays and strings so far (not of {@link #bytes}), and its bound.
     */
    private long heapBytes;

    private final long heapLimit;

    /** Bytes of an array's header, and of a String object with its array's header (64-bit JVM). */
    private static final int ARRAY = 16;

    private static final int STRING = 24;

    private EventBatchColumns(byte[] bytes, int offset, int length, long heapLimit) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
        this.heapLimit = heapLimit;
    }

    /** Reads the {@code EventBatch} in {@code bytes[offset, offset + length)}. */
    public static EventBatchColumns read(byte[] bytes, int offset, int length)
            throws InvalidProtocolBufferException {
        return read(bytes, offset, length, Long.MAX_VALUE);
    }

    /**
     * Reads the {@code EventBatch} in {@code bytes[offset, offset + length)}, stopping with a
     * {@link HeapLimitException} as soon as its columns would take more than {@code heapLimit}
     * bytes of heap: a small frame of packed one-byte numbers decodes to eight times its size or
     * more, so a reader with a memory budget bounds the decoding, not only the frame.
     */
    public static EventBatchColumns read(byte[] bytes, int offset, int length, long heapLimit)
            throws InvalidProtocolBufferException {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException(
                    "bytes " + offset + " to " + (offset + length) + " of " + bytes.length);
        }
        EventBatchColumns columns = new EventBatchColumns(bytes, offset, length, heapLimit);
        columns.readFields();
        return columns;
    }

    /**
     * About the heap these columns take beside the encoded bytes they were read from: every array
     * they allocated while reading (grown ones counted whole) and the dictionaries' strings.
     */
    public long heapBytes() {
        return heapBytes;
    }

    /** Reads the {@code EventBatch} that is the whole of {@code bytes}. */
    public static EventBatchColumns read(byte[] bytes) throws InvalidProtocolBufferException {
        return read(bytes, 0, bytes.length);
    }

    /** The batch's sequence number. */
    public long sequence() {
        return sequence;
    }

    /** The number of events (entries of {@code key}). */
    public int size() {
        return keyCount;
    }

    /** Whether the batch has its own {@code watermark}. */
    public boolean hasWatermark() {
        return hasWatermark;
    }

    /** The batch's own {@code watermark}; meaningful when {@link #hasWatermark()}. */
    public long watermark() {
        return watermark;
    }

    // Entries of each column, and the entries of the number columns a check needs, by name in
    // event.proto; an index past a column's entries fails with IndexOutOfBoundsException.

    public int timeDeltaCount() {
        return timeDeltaCount;
    }

    public int typeCount() {
        return typeCount;
    }

    public int type(int event) {
        return types[check(event, typeCount)];
    }

    public int typeNameCount() {
        return typeNameCount;
    }

    public int attributeNameCount() {
        return attributeNameCount;
    }

    public int attributeCountCount() {
        return attributeCountCount;
    }

    public int attributeCount(int event) {
        return attributeCounts[check(event, attributeCountCount)];
    }

    public int attributeTagCount() {
        return attributeTagCount;
    }

    public int attributeTag(int index) {
        return attributeTags[check(index, attributeTagCount)];
    }

    public int longValueCount() {
        return longValueCount;
    }

    public int doubleValueCount() {
        return doubleValueCount;
    }

    public int stringValueCount() {
        return stringValueCount;
    }

    public int payloadCount() {
        return payloadCount;
    }

    public int interimPositionCount() {
        return interimPositionCount;
    }

    public int interimPosition(int index) {
        return interimPositions[check(index, interimPositionCount)];
    }

    public int interimWatermarkCount() {
        return interimWatermarkCount;
    }

    /** The {@code index}th entry of {@code interim_watermarks}. */
    public long interimWatermark(int index) {
        if (index >= interimWatermarkCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return interimWatermarks[index];
    }

    private static int check(int index, int count) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(index + " of " + count);
        }
        return index;
    }

    /** The bytes the columns point into. */
    byte[] bytes() {
        return bytes;
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
                sequence = readVarint64();
                return true;
            case 2:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                keys = place(keys, keyCount++, true);
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
                String name = string(bytes, pos, length);
                pos += length;
                if (field == 5) {
                    typeNames = grow(typeNames, typeNameCount);
                    typeNames[typeNameCount++] = name;
                } else {
                    attributeNames = grow(attributeNames, attributeNameCount);
                    attributeNames[attributeNameCount++] = name;
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
                stringValues = place(stringValues, stringValueCount++, true);
                return true;
            case 12:
                if (wireType != WireBuffer.LENGTH_DELIMITED) {
                    return false;
                }
                payloads = place(payloads, payloadCount++, false);
                return true;
            case 13:
                if (wireType != WireBuffer.VARINT) {
                    return false;
                }
                hasWatermark = true;
                watermark = readVarint64();
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

    private boolean readInts(int wireType, int field) throws InvalidProtocolBufferException {
        int limit;
        if (wireType == WireBuffer.LENGTH_DELIMITED) {
            int length = readLength();
            limit = pos + length;
        } else if (wireType == WireBuffer.VARINT) {
            limit = -1;
        } else {
            return false;
        }
        if (limit == pos) {
            return true; // an empty packed field: valid, no entries
        }
        do {
            int value = (int) readVarint64(); // uint32: the low 32 bits of the varint
            switch (field) {
                case 4:
                    types = grow(types, typeCount);
                    types[typeCount++] = value;
                    break;
                case 7:
                    attributeCounts = grow(attributeCounts, attributeCountCount);
                    attributeCounts[attributeCountCount++] = value;
                    break;
                case 8:
                    attributeTags = grow(attributeTags, attributeTagCount);
                    attributeTags[attributeTagCount++] = value;
                    break;
                default:
                    interimPositions = grow(interimPositions, interimPositionCount);
                    interimPositions[interimPositionCount++] = value;
            }
        } while (pos < limit);
        if (limit >= 0 && pos != limit) {
            throw truncated();
        }
        return true;
    }

    private boolean readLongs(int wireType, int field) throws InvalidProtocolBufferException {
        int limit;
        if (wireType == WireBuffer.LENGTH_DELIMITED) {
            int length = readLength();
            limit = pos + length;
        } else if (wireType == WireBuffer.VARINT) {
            limit = -1;
        } else {
            return false;
        }
        if (limit == pos) {
            return true;
        }
        do {
            long value = readVarint64();
            switch (field) {
                case 3:
                    timeDeltas = grow(timeDeltas, timeDeltaCount);
                    timeDeltas[timeDeltaCount++] = (value >>> 1) ^ -(value & 1);
                    break;
                case 9:
                    longValues = grow(longValues, longValueCount);
                    longValues[longValueCount++] = (value >>> 1) ^ -(value & 1);
                    break;
                default:
                    interimWatermarks = grow(interimWatermarks, interimWatermarkCount);
                    interimWatermarks[interimWatermarkCount++] = value;
            }
        } while (pos < limit);
        if (limit >= 0 && pos != limit) {
            throw truncated();
        }
        return true;
    }

    private boolean readDoubles(int wireType) throws InvalidProtocolBufferException {
        int limit;
        if (wireType == WireBuffer.LENGTH_DELIMITED) {
            int length = readLength();
            if (length % 8 != 0) {
                throw malformed("a packed double field is " + length + " bytes long");
            }
            limit = pos + length;
        } else if (wireType == WireBuffer.FIXED64) {
            limit = -1;
        } else {
            return false;
        }
        if (limit == pos) {
            return true;
        }
        do {
            if (end - pos < 8) {
                throw truncated();
            }
            doubleValues = grow(doubleValues, doubleValueCount);
            doubleValues[doubleValueCount++] = Double.longBitsToDouble(readFixed64());
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

    /** The string at {@code offset}, checked as UTF-8 before. */
    static String string(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    private int[] grow(int[] array, int count) throws HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 16, 4));
    }

    private long[] grow(long[] array, int count) throws HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 16, 8));
    }

    private double[] grow(double[] array, int count) throws HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 16, 8));
    }

    private String[] grow(String[] array, int count) throws HeapLimitException {
        return count < array.length ? array : Arrays.copyOf(array, capacity(count, 8, 4));
    }

    /**
     * The capacity an array of {@code count} entries grows to (at least {@code least}), counted as
     * allocated at {@code elementBytes} an entry.
     */
    private int capacity(int count, int least, int elementBytes) throws HeapLimitException {
        int capacity = Math.max(least, count * 2);
        allocated(ARRAY + (long) elementBytes * capacity);
        return capacity;
    }

    /**
     * Counts heap the columns take; over the limit the reading stops. A grown array counts whole
     * and the one it replaced stays counted, so the count bounds what was ever allocated.
     */
    private void allocated(long bytes) throws HeapLimitException {
        heapBytes += bytes;
        if (heapBytes > heapLimit) {
            throw new HeapLimitException(heapBytes, heapLimit);
        }
    }

    /**
     * Reading an {@code EventBatch} stopped because its columns would take more heap than the limit
     * given to {@link #read(byte[], int, int, long)}.
     */
    public static final class HeapLimitException extends InvalidProtocolBufferException {

        private static final long serialVersionUID = 1L;

        HeapLimitException(long reached, long limit) {
            super(
                    "an EventBatch's columns would take more than "
                            + limit
                            + " bytes of heap (reached "
                            + reached
                            + " before the end of the batch)");
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
