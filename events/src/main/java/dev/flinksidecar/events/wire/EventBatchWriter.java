package dev.flinksidecar.events.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.Event;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Collects events into the columnar {@link EventBatch} (see event.proto for the layout), written
 * straight in protobuf's wire format: each column is a byte buffer of its own that events append
 * to, and {@link #frame} puts the columns one after the other behind the frame's length and the
 * {@code ClientMessage} field that carries the batch. No generated message or builder is made on
 * the way, and no list of boxed values; the bytes equal those of the generated classes writing the
 * same batch (fields in number order, packed numbers, empty columns left out), which {@code
 * EventBatchWireTest} checks.
 *
 * <p>Attribute and type names go into the batch's dictionaries once; an event's attribute is first
 * looked for where the previous event had the attribute at the same position (events of one stream
 * mostly share their layout), so most attributes cost one string comparison, not a hash lookup.
 *
 * <p>Not thread-safe; reuse it with {@link #clear()} after each {@link #frame} or {@link #build}.
 */
public final class EventBatchWriter {

    private static final int KIND_BITS = 3;

    // EventBatch's field numbers (event.proto)
    private static final int SEQUENCE = 1;
    private static final int KEY = 2;
    private static final int TIME_DELTA = 3;
    private static final int TYPE = 4;
    private static final int TYPE_NAMES = 5;
    private static final int ATTRIBUTE_NAMES = 6;
    private static final int ATTRIBUTE_COUNT = 7;
    private static final int ATTRIBUTE_TAG = 8;
    private static final int LONG_VALUES = 9;
    private static final int DOUBLE_VALUES = 10;
    private static final int STRING_VALUES = 11;
    private static final int PAYLOADS = 12;
    private static final int WATERMARK = 13;
    private static final int INTERIM_WATERMARK_POSITIONS = 14;
    private static final int INTERIM_WATERMARKS = 15;

    /** ClientMessage's field that carries an EventBatch (session.proto). */
    private static final int CLIENT_MESSAGE_EVENTS = 2;

    // the columns: whole fields for the repeated strings and bytes, packed elements for numbers
    private final WireBuffer keys = new WireBuffer(4096);
    private final WireBuffer timeDeltas = new WireBuffer(1024);
    private final WireBuffer types = new WireBuffer(256);
    private final WireBuffer typeNames = new WireBuffer(64);
    private final WireBuffer attributeNames = new WireBuffer(256);
    private final WireBuffer attributeCounts = new WireBuffer(256);
    private final WireBuffer attributeTags = new WireBuffer(1024);
    private final WireBuffer longValues = new WireBuffer(256);
    private final WireBuffer doubleValues = new WireBuffer(1024);
    private final WireBuffer stringValues = new WireBuffer(4096);
    private final WireBuffer payloads = new WireBuffer(64);
    private final WireBuffer positions = new WireBuffer(16);
    private final WireBuffer watermarks = new WireBuffer(64);
    private final WireBuffer batch = new WireBuffer(8192);

    private final Map<String, Integer> attributeIndex = new HashMap<>();
    private final Map<String, Integer> typeIndex = new HashMap<>();
    private String[] names = new String[8];

    /** Per attribute position: the name index the previous event had there. */
    private int[] nameAt = new int[8];

    private String lastType;
    private int lastTypeIndex;
    private long previousTime;
    private int size;
    private long estimatedBytes;
    private boolean hasPayloads;

    /** Appends one event; its fields are copied, so the event may be reused afterwards. */
    public void add(Event event) {
        String key = event.key();
        keys.string(KEY, key);
        long time = event.time();
        timeDeltas.sint64(time - previousTime);
        previousTime = time;
        String type = event.type();
        types.varint32(type == null ? 0 : typeIndex(type) + 1);
        int count = event.attributeCount();
        attributeCounts.varint32(count);
        long bytes = key.length() + 8L + 3 * count;
        for (int i = 0; i < count; i++) {
            int name = nameIndex(event.attributeName(i), i);
            switch (event.attributeType(i)) {
                case STRING:
                    String value = event.stringAt(i);
                    attributeTags.varint32(
                            name << KIND_BITS | AttributeKind.ATTRIBUTE_KIND_STRING_VALUE);
                    stringValues.string(STRING_VALUES, value);
                    bytes += value.length() + 1;
                    break;
                case LONG:
                    attributeTags.varint32(
                            name << KIND_BITS | AttributeKind.ATTRIBUTE_KIND_LONG_VALUE);
                    longValues.sint64(event.longAt(i));
                    bytes += 5;
                    break;
                case DOUBLE:
                    attributeTags.varint32(
                            name << KIND_BITS | AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE);
                    doubleValues.fixed64(Double.doubleToRawLongBits(event.doubleAt(i)));
                    bytes += 8;
                    break;
                default:
                    attributeTags.varint32(
                            name << KIND_BITS
                                    | (event.booleanAt(i)
                                            ? AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE
                                            : AttributeKind.ATTRIBUTE_KIND_FALSE_VALUE));
            }
        }
        byte[] payload = event.payload();
        addPayload(payload);
        bytes += payload.length;
        estimatedBytes += bytes;
        size++;
    }

    private void addPayload(byte[] payload) {
        if (payload.length > 0 && !hasPayloads) {
            hasPayloads = true;
            for (int i = 0; i < size; i++) {
                payloads.emptyBytes(PAYLOADS);
            }
        }
        if (hasPayloads) {
            payloads.bytes(PAYLOADS, payload);
        }
    }

    /** The dictionary index of attribute {@code name}, found at attribute position {@code at}. */
    private int nameIndex(String name, int at) {
        if (at < nameAt.length) {
            int guess = nameAt[at];
            if (guess < attributeIndex.size() && names[guess].equals(name)) {
                return guess;
            }
        } else {
            nameAt = Arrays.copyOf(nameAt, Math.max(at + 1, nameAt.length * 2));
        }
        Integer index = attributeIndex.get(name);
        if (index == null) {
            index = attributeIndex.size();
            attributeIndex.put(name, index);
            if (index == names.length) {
                names = Arrays.copyOf(names, index * 2);
            }
            names[index] = name;
            attributeNames.string(ATTRIBUTE_NAMES, name);
            estimatedBytes += name.length() + 2;
        }
        nameAt[at] = index;
        return index;
    }

    private int typeIndex(String type) {
        if (type.equals(lastType)) {
            return lastTypeIndex;
        }
        Integer index = typeIndex.get(type);
        if (index == null) {
            index = typeIndex.size();
            typeIndex.put(type, index);
            typeNames.string(TYPE_NAMES, type);
        }
        lastType = type;
        lastTypeIndex = index;
        return index;
    }

    /** Events added since the last {@link #clear()}. */
    public int size() {
        return size;
    }

    /** A close upper estimate of the encoded size of the events added so far, in bytes. */
    public long estimatedBytes() {
        return estimatedBytes;
    }

    /**
     * Records that watermark {@code watermark} holds after the events added so far (an interim
     * watermark, see event.proto): the sidecar applies it between this event and the next.
     */
    public void watermarkAfterEvents(long watermark) {
        positions.varint32(size);
        watermarks.varint64(watermark);
        estimatedBytes += 12;
    }

    /**
     * One whole frame of the session protocol: the 4-byte length, then a {@code ClientMessage}
     * whose {@code events} is the batch of the events added so far, with its sequence number and
     * optional watermark.
     */
    public byte[] frame(long sequence, boolean hasWatermark, long watermark) {
        writeBatch(sequence, hasWatermark, watermark);
        int batchBytes = batch.size();
        int message = 1 + WireBuffer.varint32Size(batchBytes) + batchBytes;
        byte[] frame = new byte[Protocol.LENGTH_FIELD_BYTES + message];
        frame[0] = (byte) (message >>> 24);
        frame[1] = (byte) (message >>> 16);
        frame[2] = (byte) (message >>> 8);
        frame[3] = (byte) message;
        int p = Protocol.LENGTH_FIELD_BYTES;
        frame[p++] = (byte) (CLIENT_MESSAGE_EVENTS << 3 | WireBuffer.LENGTH_DELIMITED);
        int length = batchBytes;
        while ((length & ~0x7F) != 0) {
            frame[p++] = (byte) ((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        frame[p++] = (byte) length;
        batch.copyTo(frame, p);
        return frame;
    }

    /** The encoded {@link EventBatch} of the events added so far (without frame or envelope). */
    public byte[] bytes(long sequence, boolean hasWatermark, long watermark) {
        writeBatch(sequence, hasWatermark, watermark);
        byte[] bytes = new byte[batch.size()];
        batch.copyTo(bytes, 0);
        return bytes;
    }

    /**
     * The batch of the events added so far, with its sequence number and optional watermark, as a
     * generated message: for callers that want one (replay, tests); parses {@link #bytes}.
     */
    public EventBatch build(long sequence, boolean hasWatermark, long watermark) {
        try {
            return EventBatch.parseFrom(bytes(sequence, hasWatermark, watermark));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the writer wrote a batch it cannot read back", e);
        }
    }

    /** The fields in number order, as protobuf-java writes them. */
    private void writeBatch(long sequence, boolean hasWatermark, long watermark) {
        WireBuffer out = batch;
        out.clear();
        if (sequence != 0) {
            out.tag(SEQUENCE, WireBuffer.VARINT);
            out.varint64(sequence);
        }
        out.append(keys);
        out.packed(TIME_DELTA, timeDeltas);
        out.packed(TYPE, types);
        out.append(typeNames);
        out.append(attributeNames);
        out.packed(ATTRIBUTE_COUNT, attributeCounts);
        out.packed(ATTRIBUTE_TAG, attributeTags);
        out.packed(LONG_VALUES, longValues);
        out.packed(DOUBLE_VALUES, doubleValues);
        out.append(stringValues);
        out.append(payloads);
        if (hasWatermark) {
            out.tag(WATERMARK, WireBuffer.VARINT);
            out.varint64(watermark);
        }
        out.packed(INTERIM_WATERMARK_POSITIONS, positions);
        out.packed(INTERIM_WATERMARKS, watermarks);
    }

    /** Forgets all events so the writer can fill the next batch. */
    public void clear() {
        keys.clear();
        timeDeltas.clear();
        types.clear();
        typeNames.clear();
        attributeNames.clear();
        attributeCounts.clear();
        attributeTags.clear();
        longValues.clear();
        doubleValues.clear();
        stringValues.clear();
        payloads.clear();
        positions.clear();
        watermarks.clear();
        attributeIndex.clear();
        typeIndex.clear();
        Arrays.fill(nameAt, 0);
        lastType = null;
        previousTime = 0;
        size = 0;
        estimatedBytes = 0;
        hasPayloads = false;
    }
}
