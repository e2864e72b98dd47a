package dev.flinksidecar.operator.types;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.rule.AttributeType;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
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
 * Strings use Flink's {@link StringValue} layout (null-safe), read and written through {@link
 * StringValueCodec}. DOUBLE values travel as their raw bits and BOOLEAN ones as 0/1, exactly as
 * {@link EventRecord#numbers()} holds them. The layout is versioned by {@link Snapshot}; change it
 * only together with a new snapshot version.
 *
 * <p>Events of a stream mostly share one schema, so each instance remembers the last one it saw:
 * writing, the encoded bytes of the last attribute names (written whole instead of char by char);
 * reading, the last names, types and event type, which a record of the same schema shares instead
 * of decoding new strings. That makes an instance stateful: Flink gives each thread its own through
 * {@link #duplicate()}, and {@link #INSTANCE} is only the template that type information hands out
 * copies of. Measured against Flink's {@code PojoSerializer} for a POJO of the same fields in
 * bench's {@code SerializerComparison}.
 */
public final class EventRecordSerializer extends ImmutableRecordSerializer<EventRecord> {

    private static final long serialVersionUID = 1L;

    /** The template: {@link #duplicate()} it for each thread that serializes. */
    public static final EventRecordSerializer INSTANCE = new EventRecordSerializer();

    private static final AttributeType[] KINDS = AttributeType.values();
    private static final String[] NO_NAMES = new String[0];
    private static final AttributeType[] NO_TYPES = new AttributeType[0];
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

    /** What this instance remembers of the last schema; made on first use, never serialized. */
    private transient Memory memory;

    public EventRecordSerializer() {}

    @Override
    public EventRecordSerializer duplicate() {
        return new EventRecordSerializer();
    }

    @Override
    public EventRecord createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(EventRecord record, DataOutputView out) throws IOException {
        Memory memory = memory();
        StringValueCodec codec = memory.codec;
        codec.write(record.key(), out);
        out.writeLong(record.time());
        codec.write(record.type(), out);
        String[] names = record.names();
        AttributeType[] types = record.types();
        long[] numbers = record.numbers();
        String[] strings = record.strings();
        byte[][] encoded = memory.encoded(names);
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            out.write(encoded[i]);
            out.writeByte(types[i].ordinal());
            if (types[i] == AttributeType.STRING) {
                codec.write(strings[i], out);
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
        Memory memory = memory();
        StringValueCodec codec = memory.codec;
        String key = codec.read(in);
        long time = in.readLong();
        String type = codec.readRecent(in, memory.recentTypes);
        int n = in.readInt();
        String[] names = memory.readNames(n);
        AttributeType[] types = memory.readTypes;
        String[] lastNames = memory.lastNames;
        long[] numbers = new long[n];
        String[] strings = new String[n];
        boolean sameSchema = n == lastNames.length;
        for (int i = 0; i < n; i++) {
            String name = codec.read(in, sameSchema ? lastNames[i] : null);
            if (name == null) {
                throw new IOException("corrupt EventRecord: an attribute without a name");
            }
            AttributeType kind = KINDS[in.readByte()];
            if (sameSchema) {
                sameSchema = name == lastNames[i] && kind == memory.lastTypes[i];
            }
            names[i] = name;
            types[i] = kind;
            if (kind == AttributeType.STRING) {
                strings[i] = codec.read(in);
            } else {
                numbers[i] = in.readLong();
            }
        }
        if (!sameSchema) {
            memory.lastNames = Arrays.copyOf(names, n);
            memory.lastTypes = Arrays.copyOf(types, n);
        }
        int payloadLength = in.readInt();
        byte[] payload = null; // none: the record's own empty payload
        if (payloadLength > 0) {
            payload = new byte[payloadLength];
            in.readFully(payload);
        }
        return new EventRecord(
                key, time, type, memory.lastNames, memory.lastTypes, numbers, strings, payload);
    }

    private Memory memory() {
        Memory m = memory;
        if (m == null) {
            memory = m = new Memory();
        }
        return m;
    }

    /** The last schema written and read by one instance (one thread). */
    private static final class Memory {
        /** Strings in StringValue's layout, through a scratch array. */
        private final StringValueCodec codec = new StringValueCodec();

        /** The types last read, the latest first: the next record's type is most likely one. */
        private final String[] recentTypes = new String[4];

        // Writing: the names last written and their StringValue bytes.
        private String[] encodedFor = NO_NAMES;
        private byte[][] encodedNames = new byte[0][];
        private DataOutputSerializer scratch;

        // Reading: the schema last read, shared by the records that have it; the one being read.
        private String[] lastNames = NO_NAMES;
        private AttributeType[] lastTypes = NO_TYPES;
        private String[] readNames = new String[8];
        private AttributeType[] readTypes = new AttributeType[8];

        /** The StringValue bytes of each name: those of the last names when they are the same. */
        private byte[][] encoded(String[] names) throws IOException {
            if (names != encodedFor) {
                boolean same = names.length == encodedFor.length;
                for (int i = 0; same && i < names.length; i++) {
                    same = names[i] == encodedFor[i] || names[i].equals(encodedFor[i]);
                }
                if (!same) {
                    if (scratch == null) {
                        scratch = new DataOutputSerializer(64);
                    }
                    byte[][] bytes = new byte[names.length][];
                    for (int i = 0; i < names.length; i++) {
                        scratch.clear();
                        StringValue.writeString(names[i], scratch);
                        bytes[i] = scratch.getCopyOfBuffer();
                    }
                    encodedNames = bytes;
                }
                encodedFor = names;
            }
            return encodedNames;
        }

        /** Room for the names of a record of {@code n} attributes (and its types). */
        String[] readNames(int n) {
            if (n > readNames.length) {
                readNames = new String[n];
                readTypes = new AttributeType[n];
            }
            return readNames;
        }
    }

    @Override
    public TypeSerializerSnapshot<EventRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer; restores a new serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventRecord> {
        public Snapshot() {
            super(EventRecordSerializer::new);
        }
    }
}
