package dev.flinksidecar.events.wire;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.Event;
import java.util.HashMap;
import java.util.Map;

/**
 * Collects events into the columnar {@link EventBatch} (see event.proto for the layout). Not
 * thread-safe; reuse it with {@link #clear()} after each {@link #build}.
 */
public final class EventBatchWriter {

    private static final int KIND_BITS = 3;

    private EventBatch.Builder batch = EventBatch.newBuilder();
    private final Map<String, Integer> attributeNames = new HashMap<>();
    private final Map<String, Integer> typeNames = new HashMap<>();
    private long previousTime;
    private int size;
    private long estimatedBytes;
    private boolean payloads;

    /** Appends one event; its fields are copied, so the event may be reused afterwards. */
    public void add(Event event) {
        String key = event.key();
        batch.addKey(key);
        batch.addTimeDelta(event.time() - previousTime);
        previousTime = event.time();
        String type = event.type();
        batch.addType(type == null ? 0 : typeIndex(type) + 1);
        int count = event.attributeCount();
        batch.addAttributeCount(count);
        long bytes = key.length() + 8L + 3 * count;
        for (int i = 0; i < count; i++) {
            int name = nameIndex(event.attributeName(i));
            switch (event.attributeType(i)) {
                case STRING:
                    String value = event.stringAt(i);
                    batch.addAttributeTag(
                            name << KIND_BITS | AttributeKind.ATTRIBUTE_KIND_STRING_VALUE);
                    batch.addStringValues(value);
                    bytes += value.length() + 1;
                    break;
                case LONG:
                    batch.addAttributeTag(
                            name << KIND_BITS | AttributeKind.ATTRIBUTE_KIND_LONG_VALUE);
                    batch.addLongValues(event.longAt(i));
                    bytes += 5;
                    break;
                case DOUBLE:
                    batch.addAttributeTag(
                            name << KIND_BITS | AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE);
                    batch.addDoubleValues(event.doubleAt(i));
                    bytes += 8;
                    break;
                default:
                    batch.addAttributeTag(
                            name << KIND_BITS
                                    | (event.booleanAt(i)
                                            ? AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE
                                            : AttributeKind.ATTRIBUTE_KIND_FALSE_VALUE));
            }
        }
        addPayload(event.payload());
        bytes += event.payload().length;
        estimatedBytes += bytes;
        size++;
    }

    private void addPayload(byte[] payload) {
        if (payload.length > 0 && !payloads) {
            payloads = true;
            for (int i = 0; i < size; i++) {
                batch.addPayloads(ByteString.EMPTY);
            }
        }
        if (payloads) {
            batch.addPayloads(
                    payload.length == 0 ? ByteString.EMPTY : ByteString.copyFrom(payload));
        }
    }

    private int nameIndex(String name) {
        Integer index = attributeNames.get(name);
        if (index == null) {
            index = attributeNames.size();
            attributeNames.put(name, index);
            batch.addAttributeNames(name);
            estimatedBytes += name.length() + 2;
        }
        return index;
    }

    private int typeIndex(String type) {
        Integer index = typeNames.get(type);
        if (index == null) {
            index = typeNames.size();
            typeNames.put(type, index);
            batch.addTypeNames(type);
        }
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
        batch.addInterimWatermarkPositions(size);
        batch.addInterimWatermarks(watermark);
        estimatedBytes += 12;
    }

    /** The batch of the events added so far, with its sequence number and optional watermark. */
    public EventBatch build(long sequence, boolean hasWatermark, long watermark) {
        batch.setSequence(sequence);
        if (hasWatermark) {
            batch.setWatermark(watermark);
        }
        return batch.build();
    }

    /** Forgets all events so the writer can fill the next batch. */
    public void clear() {
        batch = EventBatch.newBuilder();
        attributeNames.clear();
        typeNames.clear();
        previousTime = 0;
        size = 0;
        estimatedBytes = 0;
        payloads = false;
    }
}
