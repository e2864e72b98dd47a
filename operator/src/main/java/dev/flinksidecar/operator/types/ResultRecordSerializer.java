package dev.flinksidecar.operator.types;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializes {@link ResultRecord}s without Kryo: {@code rule version key:string time:long
 * json:string}. The layout is versioned by {@link Snapshot}.
 */
public final class ResultRecordSerializer extends ImmutableRecordSerializer<ResultRecord> {

    private static final long serialVersionUID = 1L;

    public static final ResultRecordSerializer INSTANCE = new ResultRecordSerializer();

    private static final ResultRecord EMPTY = new ResultRecord("", "", "", 0L, "{}");

    @Override
    public ResultRecord createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(ResultRecord record, DataOutputView out) throws IOException {
        StringValue.writeString(record.rule(), out);
        StringValue.writeString(record.version(), out);
        StringValue.writeString(record.key(), out);
        out.writeLong(record.time());
        StringValue.writeString(record.json(), out);
    }

    @Override
    public ResultRecord deserialize(DataInputView in) throws IOException {
        String rule = StringValue.readString(in);
        String version = StringValue.readString(in);
        String key = StringValue.readString(in);
        long time = in.readLong();
        return new ResultRecord(rule, version, key, time, StringValue.readString(in));
    }

    @Override
    public TypeSerializerSnapshot<ResultRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer; restores {@link #INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ResultRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
