package dev.flinksidecar.operator.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract checks (copy, round trips, snapshot and restore, duplicates), and
 * the schema one instance remembers between records.
 */
class EventRecordSerializerTest extends SerializerTestBase<EventRecord> {

    @Test
    void recordsOfChangingSchemasComeBackAsTheyWere() throws Exception {
        List<EventRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            EventRecord.Builder b = EventRecord.builder("k" + i, i).type(i % 3 == 0 ? null : "t");
            switch (i % 5) {
                case 0 -> b.set("amount", 1.5 * i).set("merchant", "m" + i);
                case 1 -> b.set("amounT", 1.5 * i).set("merchant", "m" + i); // one char differs
                case 2 -> b.set("amount", (long) i).set("merchant", "m" + i); // a type differs
                case 3 -> b.set("amount", 2.5).set("merchant", "m").set("ok", true);
                default -> b.set("amount", 1.5 * i).set("merchant", "ключ ✓" + i);
            }
            EventRecord built = b.build();
            byte[] payload = i % 7 == 0 ? new byte[] {(byte) i} : null;
            records.add(
                    new EventRecord(
                            built.key(),
                            built.time(),
                            built.type(),
                            built.names(),
                            built.types(),
                            built.numbers(),
                            built.strings(),
                            payload));
        }
        TypeSerializer<EventRecord> serializer = EventRecordSerializer.INSTANCE.duplicate();
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (EventRecord record : records) {
            serializer.serialize(record, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TypeSerializer<EventRecord> reader = EventRecordSerializer.INSTANCE.duplicate();
        for (EventRecord record : records) {
            assertThat(reader.deserialize(in)).isEqualTo(record);
        }
        assertThat(in.available()).isZero();
    }

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
