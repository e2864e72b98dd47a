package dev.flinksidecar.operator.types;

import dev.flinksidecar.events.EventRecord;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract checks (copy, round trips, snapshot and restore, duplicates). */
class EventRecordSerializerTest extends SerializerTestBase<EventRecord> {

    @Override
    protected TypeSerializer<EventRecord> createSerializer() {
        return EventRecordSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<EventRecord> getTypeClass() {
        return EventRecord.class;
    }

    @Override
    protected EventRecord[] getTestData() {
        return new EventRecord[] {
            EventRecord.builder("card-0042", 1767225600123L)
                    .type("payment")
                    .set("amount", 1250.5)
                    .set("merchant", "Fuel Stop")
                    .set("count", 3L)
                    .set("card_present", true)
                    .build(),
            EventRecord.builder("k", -5).build(),
            EventRecord.builder("ключ ✓", Long.MAX_VALUE)
                    .set("nan", Double.NaN)
                    .set("empty", "")
                    .set("no", false)
                    .payload(new byte[] {0, 1, 2, (byte) 255})
                    .build(),
            EventRecord.builder("", 0).type("").payload(new byte[0]).build(),
        };
    }
}
