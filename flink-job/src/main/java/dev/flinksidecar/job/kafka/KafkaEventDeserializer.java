package dev.flinksidecar.job.kafka;

import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.EventProtos;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.MalformedEventException;
import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.job.source.InputRecord;
import dev.flinksidecar.proto.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One Kafka record's value as an event ({@link KafkaInput.Format}: a JSON object in the event-file
 * line format, or a serialized protobuf {@code Event}), or as a dead-letter line when it is not
 * one:
 *
 * <pre>
 * {"topic":"payments","partition":2,"offset":1234,"reason":"payments partition 2 offset 1234: missing field 'key'","raw":"{\"time\":1}"}
 * </pre>
 *
 * A malformed record never stops the source. The record's key is not read: the event's key is its
 * {@code key} field. Runs on the source reader's task thread.
 */
public final class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<InputRecord> {

    private static final long serialVersionUID = 1L;

    private final KafkaInput.Format format;

    public KafkaEventDeserializer(KafkaInput.Format format) {
        this.format = format;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputRecord> out) {
        byte[] value = record.value();
        if (value == null) {
            out.collect(
                    InputRecord.deadLetter(
                            deadLetter(record, "a record without a value (a tombstone)", null)));
            return;
        }
        String raw = null;
        try {
            EventRecord event;
            if (format == KafkaInput.Format.JSON) {
                raw = new String(value, StandardCharsets.UTF_8);
                event = EventJson.parse(raw.strip());
            } else {
                event = EventProtos.fromProto(Event.parseFrom(value));
            }
            out.collect(InputRecord.event(event));
        } catch (MalformedEventException e) {
            out.collect(InputRecord.deadLetter(deadLetter(record, e.getMessage(), raw)));
        } catch (IOException e) { // protobuf's InvalidProtocolBufferException (relocated in the
            // operator's jar)
            out.collect(
                    InputRecord.deadLetter(
                            deadLetter(record, "not a protobuf Event: " + e.getMessage(), null)));
        }
    }

    /**
     * The dead-letter line of a record that is not an event; {@code raw} may be null (protobuf).
     */
    static String deadLetter(ConsumerRecord<?, ?> record, String reason, String raw) {
        StringBuilder out = new StringBuilder(128 + (raw == null ? 0 : raw.length()));
        out.append("{\"topic\":");
        JsonWriter.string(out, record.topic());
        out.append(",\"partition\":").append(record.partition());
        out.append(",\"offset\":").append(record.offset());
        out.append(",\"reason\":");
        JsonWriter.string(
                out,
                record.topic()
                        + " partition "
                        + record.partition()
                        + " offset "
                        + record.offset()
                        + ": "
                        + reason);
        if (raw != null) {
            out.append(",\"raw\":");
            JsonWriter.string(out, raw);
        }
        return out.append('}').toString();
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return InputRecord.TYPE;
    }
}
