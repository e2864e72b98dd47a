package dev.flinksidecar.job.source;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.types.RecordTypeInfo;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What the event-file source reads from one record of a file: an event, or a dead-letter line for a
 * record that is not one ({@code {"file","line","reason","raw"}}). Immutable.
 */
public final class InputRecord {

    /** The Flink type of the source's output. */
    public static final TypeInformation<InputRecord> TYPE =
            new RecordTypeInfo<>(InputRecord.class, InputRecordSerializer.INSTANCE);

    private final EventRecord event;
    private final String deadLetter;

    private InputRecord(EventRecord event, String deadLetter) {
        this.event = event;
        this.deadLetter = deadLetter;
    }

    public static InputRecord event(EventRecord event) {
        return new InputRecord(Objects.requireNonNull(event), null);
    }

    public static InputRecord deadLetter(String json) {
        return new InputRecord(null, Objects.requireNonNull(json));
    }

    /** The event, or null for a malformed record. */
    public EventRecord event() {
        return event;
    }

    /** The dead-letter line, or null for an event. */
    public String deadLetter() {
        return deadLetter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputRecord
                && Objects.equals(event, ((InputRecord) o).event)
                && Objects.equals(deadLetter, ((InputRecord) o).deadLetter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, deadLetter);
    }

    @Override
    public String toString() {
        return event != null ? event.toString() : deadLetter;
    }
}
