package dev.flinksidecar.events.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the events of an {@link EventBatch} in place: one flyweight {@link Event} moved from event
 * to event with {@link #at(int)}, so handing an event to a rule allocates nothing. It reads the
 * {@link EventBatchColumns} of the batch's bytes, not a generated message: a key or string value
 * becomes a {@code String} only when first read (then kept), numbers are read from primitive
 * arrays.
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

    private final EventBatchColumns columns;
    private final byte[] bytes;
    private final int size;
    private final long[] times;
    private final String[] names;
    private final String[] types;
    private final int[] firstAttribute;
    private final int[] tags;
    private final int[] valueIndex;

    /** Keys and string values made into strings when first read; null until then. */
    private String[] keys;

    private String[] strings;
    private int current;

    /**
     * A view of a generated batch (replay, tests): reads the batch's bytes like any other.
     *
     * @throws IllegalArgumentException naming the column, when the batch's columns do not add up
     */
    public EventBatchView(EventBatch batch) {
        this(columnsOf(batch));
    }

    private static EventBatchColumns columnsOf(EventBatch batch) {
        try {
            return EventBatchColumns.read(batch.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a generated batch's bytes do not read back", e);
        }
    }

    /**
     * A view of the columns read from a batch's bytes.
     *
     * @throws IllegalArgumentException naming the column, when the batch's columns do not add up
     */
    public EventBatchView(EventBatchColumns columns) {
        this.columns = columns;
        this.bytes = columns.bytes;
        this.size = columns.keyCount;
        requireOnePerEvent(columns.timeDeltaCount, "time_delta");
        requireOnePerEvent(columns.typeCount, "type");
        requireOnePerEvent(columns.attributeCountCount, "attribute_count");
        if (columns.payloadCount != 0) {
            requireOnePerEvent(columns.payloadCount, "payloads");
        }
        this.names = Arrays.copyOf(columns.attributeNames, columns.attributeNameCount);
        this.types = Arrays.copyOf(columns.typeNames, columns.typeNameCount);
        requireDistinct(names);
        this.times = new long[size];
        this.firstAttribute = new int[size + 1];
        int tagCount = columns.attributeTagCount;
        long[] deltas = columns.timeDeltas;
        int[] counts = columns.attributeCounts;
        int[] eventTypes = columns.types;
        long time = 0;
        long attributes = 0; // as long: the uint32 counts of a batch can add up past an int
        for (int i = 0; i < size; i++) {
            // wraps as the writer's time - previous time wraps, so extreme times come back whole
            time += deltas[i];
            times[i] = time;
            attributes += Integer.toUnsignedLong(counts[i]);
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
            long type = Integer.toUnsignedLong(eventTypes[i]);
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
        this.tags = columns.attributeTags;
        this.valueIndex = new int[tagCount];
        int strings = 0;
        int longs = 0;
        int doubles = 0;
        int[] usedBy = new int[names.length]; // per name: 1 + the last event that has it
        for (int i = 0; i < size; i++) {
            for (int a = firstAttribute[i]; a < firstAttribute[i + 1]; a++) {
                int tag = tags[a];
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
        requireValues(columns.stringValueCount, strings, "string_values", "STRING");
        requireValues(columns.longValueCount, longs, "long_values", "LONG");
        requireValues(columns.doubleValueCount, doubles, "double_values", "DOUBLE");
    }

    /**
     * Another view of the same batch, with a cursor of its own: for a thread that takes a batch
     * over from one that may still read its view.
     */
    public EventBatchView copy() {
        return new EventBatchView(columns);
    }

    /** The columns this view reads. */
    public EventBatchColumns columns() {
        return columns;
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
        return columns.sequence;
    }

    public boolean hasWatermark() {
        return columns.hasWatermark;
    }

    public long watermark() {
        return columns.watermark;
    }

    /** Entries of {@code interim_watermark_positions}. */
    public int interimPositionCount() {
        return columns.interimPositionCount;
    }

    /** Entries of {@code interim_watermarks}. */
    public int interimWatermarkCount() {
        return columns.interimWatermarkCount;
    }

    /** Entry {@code j} of {@code interim_watermark_positions} (a uint32). */
    public int interimPosition(int j) {
        return columns.interimPositions[check(j, columns.interimPositionCount)];
    }

    /** Entry {@code j} of {@code interim_watermarks}. */
    public long interimWatermark(int j) {
        return columns.interimWatermarks[check(j, columns.interimWatermarkCount)];
    }

    private static int check(int index, int count) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(index + " of " + count);
        }
        return index;
    }

    @Override
    public String key() {
        String[] made = keys;
        if (made == null) {
            made = keys = new String[size];
        }
        String key = made[current];
        if (key == null) {
            int[] places = columns.keys;
            key = EventBatchColumns.string(bytes, places[2 * current], places[2 * current + 1]);
            made[current] = key;
        }
        return key;
    }

    @Override
    public long time() {
        return times[current];
    }

    @Override
    public String type() {
        int type = columns.types[current];
        return type == 0 ? null : types[type - 1];
    }

    @Override
    public byte[] payload() {
        if (columns.payloadCount == 0) {
            return NO_PAYLOAD;
        }
        int[] places = columns.payloads;
        int offset = places[2 * current];
        return Arrays.copyOfRange(bytes, offset, offset + places[2 * current + 1]);
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
        int value = valueIndex[attribute(index)];
        String[] made = strings;
        if (made == null) {
            made = strings = new String[columns.stringValueCount];
        }
        String string = made[value];
        if (string == null) {
            int[] places = columns.stringValues;
            string = EventBatchColumns.string(bytes, places[2 * value], places[2 * value + 1]);
            made[value] = string;
        }
        return string;
    }

    @Override
    public long longAt(int index) {
        return columns.longValues[valueIndex[attribute(index)]];
    }

    @Override
    public double doubleAt(int index) {
        return columns.doubleValues[valueIndex[attribute(index)]];
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
