package dev.flinksidecar.job.source;

import dev.flinksidecar.events.EventRecord;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract checks for {@link InputRecordSerializer}. */
class InputRecordSerializerTest extends SerializerTestBase<InputRecord> {

    @Override
    protected TypeSerializer<InputRecord> createSerializer() {
        return InputRecordSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<InputRecord> getTypeClass() {
        return InputRecord.class;
    }

    @Override
    protected InputRecord[] getTestData() {
        return new InputRecord[] {
            InputRecord.event(
                    EventRecord.builder("card-1", 1).type("payment").set("amount", 1.5).build()),
            InputRecord.deadLetter(
                    "{\"file\":\"payments.jsonl\",\"line\":57,\"reason\":\"no key\",\"raw\":\"{}\"}"),
        };
    }
}
