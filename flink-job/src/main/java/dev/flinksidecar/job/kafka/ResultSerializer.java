package dev.flinksidecar.job.kafka;

import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A result as one Kafka record: the result line (the same JSON as the results files) as value, the
 * event key as key. The record's timestamp is the time of writing, not the result's event time: the
 * broker's time-based retention ({@code retention.ms}, a week by default) would at once delete
 * results about events older than that. Runs on the sink writer's task thread.
 */
final class ResultSerializer implements KafkaRecordSerializationSchema<ResultRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    ResultSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ResultRecord result, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                null,
                result.key().getBytes(StandardCharsets.UTF_8),
                result.json().getBytes(StandardCharsets.UTF_8));
    }
}
