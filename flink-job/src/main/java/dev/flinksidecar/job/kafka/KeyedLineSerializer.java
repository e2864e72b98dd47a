package dev.flinksidecar.job.kafka;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A JSON line as one Kafka record of a topic, keyed by the event key it is about, so that all lines
 * of a key land in one partition, in order: the line's {@code key} field, else the {@code key} of
 * its {@code event} object (late events, a rule's dead letters); a line with neither (a malformed
 * input record) has no key. The record's timestamp is the time of writing (see {@link
 * ResultSerializer}). Runs on the sink writer's task thread.
 */
final class KeyedLineSerializer implements KafkaRecordSerializationSchema<String> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    KeyedLineSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            String line, KafkaSinkContext context, Long timestamp) {
        String key = keyOf(line);
        return new ProducerRecord<>(
                topic,
                null,
                null,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                line.getBytes(StandardCharsets.UTF_8));
    }

    /** The event key a line is about, or null. */
    static String keyOf(String line) {
        try {
            Map<String, Object> json = Json.parseObject(line);
            Object key = json.get("key");
            if (key == null && json.get("event") instanceof Map) {
                key = ((Map<?, ?>) json.get("event")).get("key");
            }
            return key instanceof String ? (String) key : null;
        } catch (JsonException e) {
            return null;
        }
    }
}
