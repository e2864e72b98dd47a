package dev.flinksidecar.events.wire;

import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import java.util.List;

/**
 * Reads the events of an {@link EventBatch} in place: one flyweight {@link Event} moved from event
 * to event with {@link #at(int)}, so handing an event to a rule allocates nothing.
 *
 * <p>Construction walks the columns once to find where each event's attributes and values start;
 * after that every accessor is O(1). A batch whose columns do not add up fails construction with an
 * {@link IllegalArgumentException} that says which column.
 */
public final class EventBatchView implements Event {

    private static final byte[] NO_PAYLOAD = new byte[0];
    private static final AttributeType[] KINDS = {
        AttributeType.STRING,
        AttributeType.LONG,
        AttributeType.DOUBLE,
        AttributeType.BOOLEAN,
        AttributeType.BOOLEAN
    };

    private final EventBatch batch;
    private final int size;
    private final List<String> keys;
    private final long[] times;
    private final String[] names;
    private final String[] types;
    private final int[] firstAttribute;
    private final int[] tags;
    private final int[] valueIndex;
    private int current;

    public EventBatchView(EventBatch batch) {
        this.batch = batch;
        this.size = batch.getKeyCount();
        this.keys = batch.getKeyList();
        require(batch.getTimeDeltaCount() == size, "time_delta");
        require(batch.getTypeCount() == size, "type");
        require(batch.getAttributeCountCount() == size, "attribute_count");
        require(batch.getPayloadsCount() == 0 || batch.getPayloadsCount() == size, "payloads");
        this.names = batch.getAttributeNamesList().toArray(new String[0]);
        this.types = batch.getTypeNamesList().toArray(new String[0]);
        this.times = new long[size];
        this.firstAttribute = new int[size + 1];
        long time = 0;
        for (int i = 0; i < size; i++) {
            time += batch.getTimeDelta(i);
            times[i] = time;
            firstAttribute[i + 1] = firstAttribute[i] + batch.getAttributeCount(i);
            int type = batch.getType(i);
            require(type <= types.length, "type");
        }
        int attributes = firstAttribute[size];
        require(batch.getAttributeTagCount() == attributes, "attribute_tag");
        this.tags = new int[attributes];
        this.valueIndex = new int[attributes];
        int strings = 0;
        int longs = 0;
        int doubles = 0;
        for (int a = 0; a < attributes; a++) {
            int tag = batch.getAttributeTag(a);
            tags[a] = tag;
            require((tag >>> 3) < names.length, "attribute_names");
            switch (tag & 7) {
                case AttributeKind.ATTRIBUTE_KIND_STRING_VALUE:
                    valueIndex[a] = strings++;
                    break;
                case AttributeKind.ATTRIBUTE_KIND_LONG_VALUE:
                    valueIndex[a] = longs++;
                    break;
                case AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE:
                    valueIndex[a] = doubles++;
                    break;
                case AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE:
                case AttributeKind.ATTRIBUTE_KIND_FALSE_VALUE:
                    break;
                default:
                    throw new IllegalArgumentException(
                            "event batch: unknown attribute kind " + (tag & 7));
            }
        }
        require(batch.getStringValuesCount() == strings, "string_values");
        require(batch.getLongValuesCount() == longs, "long_values");
        require(batch.getDoubleValuesCount() == doubles, "double_values");
    }

    private static void require(boolean condition, String column) {
        if (!condition) {
            throw new IllegalArgumentException(
                    "event batch: column '" + column + "' does not match the events");
        }
    }

    /** The number of events in the batch. */
    public int size() {
        return size;
    }

    /** Positions this view on event {@code index} and returns it. */
    public EventBatchView at(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("event " + index + " of " + size);
        }
        current = index;
        return this;
    }

    /** The index of the event this view shows. */
    public int index() {
        return current;
    }

    public long sequence() {
        return batch.getSequence();
    }

    public boolean hasWatermark() {
        return batch.hasWatermark();
    }

    public long watermark() {
        return batch.getWatermark();
    }

    @Override
    public String key() {
        return keys.get(current);
    }

    @Override
    public long time() {
        return times[current];
    }

    @Override
    public String type() {
        int type = batch.getType(current);
        return type == 0 ? null : types[type - 1];
    }

    @Override
    public byte[] payload() {
        return batch.getPayloadsCount() == 0
                ? NO_PAYLOAD
                : batch.getPayloads(current).toByteArray();
    }

    @Override
    public int attributeCount() {
        return firstAttribute[current + 1] - firstAttribute[current];
    }

    @Override
    public String attributeName(int index) {
        return names[tags[attribute(index)] >>> 3];
    }

    @Override
    public AttributeType attributeType(int index) {
        return KINDS[tags[attribute(index)] & 7];
    }

    @Override
    public String stringAt(int index) {
        return batch.getStringValues(valueIndex[attribute(index)]);
    }

    @Override
    public long longAt(int index) {
        return batch.getLongValues(valueIndex[attribute(index)]);
    }

    @Override
    public double doubleAt(int index) {
        return batch.getDoubleValues(valueIndex[attribute(index)]);
    }

    @Override
    public boolean booleanAt(int index) {
        return (tags[attribute(index)] & 7) == AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE;
    }

    @Override
    public int indexOf(String name) {
        int first = firstAttribute[current];
        int end = firstAttribute[current + 1];
        for (int a = first; a < end; a++) {
            if (names[tags[a] >>> 3].equals(name)) {
                return a - first;
            }
        }
        return -1;
    }

    private int attribute(int index) {
        int a = firstAttribute[current] + index;
        if (index < 0 || a >= firstAttribute[current + 1]) {
            throw new IndexOutOfBoundsException("attribute " + index + " of " + attributeCount());
        }
        return a;
    }
}
