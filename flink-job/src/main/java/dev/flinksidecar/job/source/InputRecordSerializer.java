package dev.flinksidecar.job.source;

import dev.flinksidecar.operator.types.EventRecordSerializer;
import dev.flinksidecar.operator.types.ImmutableRecordSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializes {@link InputRecord}s: a tag byte (0 event, 1 dead letter), then the event or the line.
 * Stateful as its {@link EventRecordSerializer} is: one per thread ({@link #duplicate()}), {@link
 * #INSTANCE} being the template.
 */
public final class InputRecordSerializer extends ImmutableRecordSerializer<InputRecord> {

    private static final long serialVersionUID = 1L;

    /** The template: {@link #duplicate()} it for each thread that serializes. */
    public static final InputRecordSerializer INSTANCE = new InputRecordSerializer();

    private final EventRecordSerializer events = new EventRecordSerializer();

    private static final byte EVENT = 0;
    private static final byte DEAD_LETTER = 1;

    @Override
    public InputRecordSerializer duplicate() {
        return new InputRecordSerializer();
    }

    @Override
    public InputRecord createInstance() {
        return InputRecord.event(events.createInstance());
    }

    @Override
    public void serialize(InputRecord record, DataOutputView out) throws IOException {
        if (record.event() != null) {
            out.writeByte(EVENT);
            events.serialize(record.event(), out);
        } else {
            out.writeByte(DEAD_LETTER);
            StringValue.writeString(record.deadLetter(), out);
        }
    }

    @Override
    public InputRecord deserialize(DataInputView in) throws IOException {
        byte tag = in.readByte();
        if (tag == EVENT) {
            return InputRecord.event(events.deserialize(in));
        } else if (tag == DEAD_LETTER) {
            return InputRecord.deadLetter(StringValue.readString(in));
        }
        throw new IOException("corrupt InputRecord: tag " + tag);
    }

    @Override
    public TypeSerializerSnapshot<InputRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer; restores a new serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<InputRecord> {
        public Snapshot() {
            super(InputRecordSerializer::new);
        }
    }
}
