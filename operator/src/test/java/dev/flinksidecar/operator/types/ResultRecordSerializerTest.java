package dev.flinksidecar.operator.types;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract checks for {@link ResultRecordSerializer}. */
class ResultRecordSerializerTest extends SerializerTestBase<ResultRecord> {

    @Override
    protected TypeSerializer<ResultRecord> createSerializer() {
        return ResultRecordSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ResultRecord> getTypeClass() {
        return ResultRecord.class;
    }

    @Override
    protected ResultRecord[] getTestData() {
        return new ResultRecord[] {
            new ResultRecord(
                    "threshold",
                    "1.0.0",
                    "card-0042",
                    1767225600123L,
                    "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"card-0042\",\"time\":1767225600123,\"value\":1250.5}"),
            new ResultRecord("r", "unversioned", "ü", -1, "{}"),
        };
    }
}
