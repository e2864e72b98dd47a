package dev.flinksidecar.events.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;

/**
 * The columns of one encoded {@code EventBatch} (event.proto), read straight from its bytes in one
 * pass by {@link EventBatchReader}: numbers into primitive arrays, strings and payloads as places
 * in the bytes (turned into objects only when asked for, see {@link EventBatchView}), the two
 * dictionaries as strings. No generated message is made.
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

    /**
     * Heap of this object's own arrays and strings, counted by the reader: {@link #heapBytes()}.
     */
    long heapBytes;

    /** Empty columns over {@code bytes}, for {@link EventBatchReader} to fill. */
    EventBatchColumns(byte[] bytes) {
        this.bytes = bytes;
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
        return new EventBatchReader(bytes, offset, length, heapLimit).read();
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

    /** The string at {@code offset}, checked as UTF-8 before. */
    static String string(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
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
}
