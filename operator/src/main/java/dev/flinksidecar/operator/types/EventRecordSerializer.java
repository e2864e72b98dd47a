package dev.flinksidecar.operator.types;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.rule.AttributeType;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializes {@link EventRecord}s between Flink operators (keyBy, network) without Kryo.
 *
 * <pre>
 * key:string  time:long  type:string|null  n:int
 * n x (name:string  kind:byte  value: string for STRING, long for the others)
 * payloadLength:int  payload:byte[payloadLength]
 * </pre>
 *
 * Strings use Flink's {@link StringValue} encoding (null-safe). DOUBLE values travel as their raw
 * bits and BOOLEAN ones as 0/1, exactly as {@link EventRecord#numbers()} holds them. The layout is
 * versioned by {@link Snapshot}; change it only together with a new snapshot version.
 */
public final class EventRecordSerializer extends ImmutableRecordSerializer<EventRecord> {

    private static final long serialVersionUID = 1L;

    public static final EventRecordSerializer INSTANCE = new EventRecordSerializer();

    private static final AttributeType[] KINDS = AttributeType.values();
    private static final EventRecord EMPTY =
            new EventRecord(
                    "",
                    0L,
                    null,
                    new String[0],
                    new AttributeType[0],
                    new long[0],
                    new String[0],
                    new byte[0]);

    @Override
    public EventRecord createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(EventRecord record, DataOutputView out) throws IOException {
        StringValue.writeString(record.key(), out);
        out.writeLong(record.time());
        StringValue.writeString(record.type(), out);
        String[] names = record.names();
        AttributeType[] types = record.types();
        long[] numbers = record.numbers();
        String[] strings = record.strings();
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            StringValue.writeString(names[i], out);
            out.writeByte(types[i].ordinal());
            if (types[i] == AttributeType.STRING) {
                StringValue.writeString(strings[i], out);
            } else {
                out.writeLong(numbers[i]);
            }
        }
        byte[] payload = record.payload();
        out.writeInt(payload.length);
        out.write(payload);
    }

    @Override
    public EventRecord deserialize(DataInputView in) throws IOException {
        String key = StringValue.readString(in);
        long time = in.readLong();
        String type = StringValue.readString(in);
        int n = in.readInt();
        String[] names = new String[n];
        AttributeType[] types = new AttributeType[n];
        long[] numbers = new long[n];
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = StringValue.readString(in);
            types[i] = KINDS[in.readByte()];
            if (types[i] == AttributeType.STRING) {
                strings[i] = StringValue.readString(in);
            } else {
                numbers[i] = in.readLong();
            }
        }
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new EventRecord(key, time, type, names, types, numbers, strings, payload);
    }

    @Override
    public TypeSerializerSnapshot<EventRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer; restores {@link #INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
