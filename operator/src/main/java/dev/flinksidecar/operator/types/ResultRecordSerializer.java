package dev.flinksidecar.operator.types;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link ResultRecord}s without Kryo: {@code rule version key:string time:long
 * json:string}, strings in Flink's {@code StringValue} layout through {@link StringValueCodec}. The
 * layout is versioned by {@link Snapshot}.
 *
 * <p>Each instance keeps a scratch array and the rule and version last read (results of one rule
 * version share those strings): Flink gives each thread its own instance through {@link
 * #duplicate()}; {@link #INSTANCE} is the template.
 */
public final class ResultRecordSerializer extends ImmutableRecordSerializer<ResultRecord> {

    private static final long serialVersionUID = 1L;

    /** The template: {@link #duplicate()} it for each thread that serializes. */
    public static final ResultRecordSerializer INSTANCE = new ResultRecordSerializer();

    private static final ResultRecord EMPTY = new ResultRecord("", "", "", 0L, "{}");

    /** Made on first use, never serialized. */
    private transient StringValueCodec codec;

    private transient String lastRule;
    private transient String lastVersion;

    @Override
    public ResultRecordSerializer duplicate() {
        return new ResultRecordSerializer();
    }

    @Override
    public ResultRecord createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(ResultRecord record, DataOutputView out) throws IOException {
        StringValueCodec strings = codec();
        strings.write(record.rule(), out);
        strings.write(record.version(), out);
        strings.write(record.key(), out);
        out.writeLong(record.time());
        strings.write(record.json(), out);
    }

    @Override
    public ResultRecord deserialize(DataInputView in) throws IOException {
        StringValueCodec strings = codec();
        String rule = lastRule = strings.read(in, lastRule);
        String version = lastVersion = strings.read(in, lastVersion);
        String key = strings.read(in);
        long time = in.readLong();
        return new ResultRecord(rule, version, key, time, strings.read(in));
    }

    private StringValueCodec codec() {
        StringValueCodec c = codec;
        if (c == null) {
            codec = c = new StringValueCodec();
        }
        return c;
    }

    @Override
    public TypeSerializerSnapshot<ResultRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer; restores a new serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ResultRecord> {
        public Snapshot() {
            super(ResultRecordSerializer::new);
        }
    }
}
