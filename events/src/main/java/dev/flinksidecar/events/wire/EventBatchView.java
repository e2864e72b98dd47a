package dev.flinksidecar.events.wire;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the events of an {@link EventBatch} in place: one flyweight {@link Event} moved from event
 * to event with {@link #at(int)}, so handing an event to a rule allocates nothing.
 *
 * <p>Construction checks the whole batch in one pass over its columns, and finds where each event's
 * attributes and values start; after that every accessor is O(1) and cannot fail on the batch's
 * content. A batch that does not add up (column lengths that disagree, an index past its table, an
 * attribute count past the tags, a kind that does not exist, an event with the same attribute
 * twice) fails construction with an {@link IllegalArgumentException} that names the column and what
 * is wrong with it, so it never reaches a rule.
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

    /**
     * @throws IllegalArgumentException naming the column, when the batch's columns do not add up
     */
    public EventBatchView(EventBatch batch) {
        this.batch = batch;
        this.size = batch.getKeyCount();
        this.keys = batch.getKeyList();
        requireOnePerEvent(batch.getTimeDeltaCount(), "time_delta");
        requireOnePerEvent(batch.getTypeCount(), "type");
        requireOnePerEvent(batch.getAttributeCountCount(), "attribute_count");
        if (batch.getPayloadsCount() != 0) {
            requireOnePerEvent(batch.getPayloadsCount(), "payloads");
        }
        this.names = batch.getAttributeNamesList().toArray(new String[0]);
        this.types = batch.getTypeNamesList().toArray(new String[0]);
        requireDistinct(names);
        this.times = new long[size];
        this.firstAttribute = new int[size + 1];
        int tagCount = batch.getAttributeTagCount();
        long time = 0;
        long attributes = 0; // as long: the uint32 counts of a batch can add up past an int
        for (int i = 0; i < size; i++) {
            // wraps as the writer's time - previous time wraps, so extreme times come back whole
            time += batch.getTimeDelta(i);
            times[i] = time;
            attributes += Integer.toUnsignedLong(batch.getAttributeCount(i));
            if (attributes > tagCount) {
                throw invalid(
                        "attribute_count",
                        "the attributes of event "
                                + i
                                + " end at tag "
                                + attributes
                                + ", past the "
                                + tagCount
                                + " of 'attribute_tag'");
            }
            firstAttribute[i + 1] = (int) attributes;
            long type = Integer.toUnsignedLong(batch.getType(i));
            if (type > types.length) {
                throw invalid(
                        "type",
                        "event "
                                + i
                                + " has type "
                                + type
                                + " (1 + an index into 'type_names'), but 'type_names' has "
                                + types.length
                                + " names");
            }
        }
        if (attributes != tagCount) {
            throw invalid(
                    "attribute_tag",
                    "it has "
                            + tagCount
                            + " tags, but the events' 'attribute_count' add up to "
                            + attributes);
        }
        this.tags = new int[tagCount];
        this.valueIndex = new int[tagCount];
        int strings = 0;
        int longs = 0;
        int doubles = 0;
        int[] usedBy = new int[names.length]; // per name: 1 + the last event that has it
        for (int i = 0; i < size; i++) {
            for (int a = firstAttribute[i]; a < firstAttribute[i + 1]; a++) {
                int tag = batch.getAttributeTag(a);
                tags[a] = tag;
                int name = tag >>> 3;
                if (name >= names.length) {
                    throw invalid(
                            "attribute_tag",
                            "tag "
                                    + a
                                    + " names attribute "
                                    + name
                                    + ", but 'attribute_names' has "
                                    + names.length
                                    + " names");
                }
                if (usedBy[name] == i + 1) {
                    throw invalid(
                            "attribute_tag",
                            "event " + i + " has attribute '" + names[name] + "' twice");
                }
                usedBy[name] = i + 1;
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
                        throw invalid(
                                "attribute_tag",
                                "tag "
                                        + a
                                        + " has kind "
                                        + (tag & 7)
                                        + ", which is not one of 0..4");
                }
            }
        }
        requireValues(batch.getStringValuesCount(), strings, "string_values", "STRING");
        requireValues(batch.getLongValuesCount(), longs, "long_values", "LONG");
        requireValues(batch.getDoubleValuesCount(), doubles, "double_values", "DOUBLE");
    }

    private void requireOnePerEvent(int count, String column) {
        if (count != size) {
            throw invalid(
                    column,
                    "it has "
                            + count
                            + " entries, but the batch has "
                            + size
                            + " events (entries of 'key')");
        }
    }

    /**
     * A name twice in the table would let an event have the same attribute twice under two indexes,
     * and an attribute named like a field every event has ({@code key}, {@code time}, {@code type})
     * would stand beside that field: either way its JSON would have a duplicate field.
     */
    private static void requireDistinct(String[] names) {
        Set<String> seen = names.length < 2 ? null : new HashSet<>(names.length * 2);
        for (String name : names) {
            if (EventRecord.isFieldName(name)) {
                throw invalid(
                        "attribute_names",
                        "'" + name + "' is a field every event has, not an attribute name");
            }
            if (seen != null && !seen.add(name)) {
                throw invalid("attribute_names", "'" + name + "' is in it twice");
            }
        }
    }

    private static void requireValues(int count, int used, String column, String kind) {
        if (count != used) {
            throw invalid(
                    column,
                    "it has " + count + " values, but " + used + " attribute tags are " + kind);
        }
    }

    private static IllegalArgumentException invalid(String column, String problem) {
        return new IllegalArgumentException(
                "event batch: column '" + column + "' does not add up: " + problem);
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
