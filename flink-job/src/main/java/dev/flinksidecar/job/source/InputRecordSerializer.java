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
 */
public final class InputRecordSerializer extends ImmutableRecordSerializer<InputRecord> {

    private static final long serialVersionUID = 1L;

    public static final InputRecordSerializer INSTANCE = new InputRecordSerializer();

    private static final byte EVENT = 0;
    private static final byte DEAD_LETTER = 1;

    @Override
    public InputRecord createInstance() {
        return InputRecord.event(EventRecordSerializer.INSTANCE.createInstance());
    }

    @Override
    public void serialize(InputRecord record, DataOutputView out) throws IOException {
        if (record.event() != null) {
            out.writeByte(EVENT);
            EventRecordSerializer.INSTANCE.serialize(record.event(), out);
        } else {
            out.writeByte(DEAD_LETTER);
            StringValue.writeString(record.deadLetter(), out);
        }
    }

    @Override
    public InputRecord deserialize(DataInputView in) throws IOException {
        byte tag = in.readByte();
        if (tag == EVENT) {
            return InputRecord.event(EventRecordSerializer.INSTANCE.deserialize(in));
        } else if (tag == DEAD_LETTER) {
            return InputRecord.deadLetter(StringValue.readString(in));
        }
        throw new IOException("corrupt InputRecord: tag " + tag);
    }

    @Override
    public TypeSerializerSnapshot<InputRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer; restores {@link #INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<InputRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
