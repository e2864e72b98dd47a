package dev.flinksidecar.sidecar.session;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.proto.EventBatch;

/**
 * Checks on receipt that an event batch's columns add up (event.proto's reading rules), so that a
 * broken or hostile client's batch is refused with a message naming the column before any rule sees
 * it, instead of failing event by event. Counts are read as the unsigned numbers they are on the
 * wire and summed without overflow.
 *
 * <p>Threads: any; stateless. Costs one pass over the per-event and per-attribute columns.
 */
final class BatchColumns {

    private static final int KINDS = 5;

    private BatchColumns() {}

    /** What is wrong with {@code batch}'s columns, or null when they add up. */
    static String problem(EventBatch batch) {
        try {
            return problem(EventBatchColumns.read(batch.toByteArray()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a generated batch's bytes do not read back", e);
        }
    }

    /** What is wrong with the columns of {@code batch}, read from its bytes, or null. */
    static String problem(EventBatchColumns batch) {
        int events = batch.size();
        if (batch.timeDeltaCount() != events
                || batch.typeCount() != events
                || batch.attributeCountCount() != events) {
            // the message only when something is wrong: no strings for a batch that adds up
            return (sameCount(batch.timeDeltaCount(), events, "time_delta")
                            + sameCount(batch.typeCount(), events, "type")
                            + sameCount(batch.attributeCountCount(), events, "attribute_count"))
                    .substring(2);
        }
        if (batch.payloadCount() != 0 && batch.payloadCount() != events) {
            return "column 'payloads' has "
                    + batch.payloadCount()
                    + " entries for "
                    + events
                    + " events (0 or one per event)";
        }
        long types = batch.typeNameCount();
        long attributes = 0;
        for (int i = 0; i < events; i++) {
            long type = Integer.toUnsignedLong(batch.type(i));
            if (type > types) {
                return "event " + i + " has type " + type + ", beyond the " + types + " type_names";
            }
            attributes += Integer.toUnsignedLong(batch.attributeCount(i));
        }
        if (attributes != batch.attributeTagCount()) {
            return "column 'attribute_count' sums to "
                    + attributes
                    + " attributes, and 'attribute_tag' has "
                    + batch.attributeTagCount();
        }
        long names = batch.attributeNameCount();
        long[] values = new long[KINDS];
        for (int a = 0; a < batch.attributeTagCount(); a++) {
            long tag = Integer.toUnsignedLong(batch.attributeTag(a));
            int kind = (int) (tag & 7);
            if (kind >= KINDS) {
                return "attribute_tag " + a + " has the unknown attribute kind " + kind;
            }
            if ((tag >>> 3) >= names) {
                return "attribute_tag "
                        + a
                        + " names attribute "
                        + (tag >>> 3)
                        + ", beyond the "
                        + names
                        + " attribute_names";
            }
            values[kind]++;
        }
        if (batch.stringValueCount() != values[0]
                || batch.longValueCount() != values[1]
                || batch.doubleValueCount() != values[2]) {
            return (valueCount(batch.stringValueCount(), values[0], "string_values", "STRING")
                            + valueCount(batch.longValueCount(), values[1], "long_values", "LONG")
                            + valueCount(
                                    batch.doubleValueCount(), values[2], "double_values", "DOUBLE"))
                    .substring(2);
        }
        return interimWatermarks(batch, events);
    }

    private static String interimWatermarks(EventBatchColumns batch, int events) {
        int count = batch.interimPositionCount();
        if (count != batch.interimWatermarkCount()) {
            return "column 'interim_watermark_positions' has "
                    + count
                    + " entries and 'interim_watermarks' "
                    + batch.interimWatermarkCount();
        }
        long before = 0;
        for (int j = 0; j < count; j++) {
            long position = Integer.toUnsignedLong(batch.interimPosition(j));
            if (position < before || position > events) {
                return "interim_watermark_positions "
                        + j
                        + " is "
                        + position
                        + " (positions never decrease and are at most the "
                        + events
                        + " events)";
            }
            before = position;
        }
        return null;
    }

    private static String sameCount(int count, int events, String column) {
        return count == events
                ? ""
                : "; column '" + column + "' has " + count + " entries for " + events + " events";
    }

    private static String valueCount(int count, long expected, String column, String kind) {
        return count == expected
                ? ""
                : "; column '"
                        + column
                        + "' has "
                        + count
                        + " entries and the attribute tags name "
                        + expected
                        + " "
                        + kind
                        + " values";
    }
}
