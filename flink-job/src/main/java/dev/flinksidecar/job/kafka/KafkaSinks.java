package dev.flinksidecar.job.kafka;

import dev.flinksidecar.operator.types.ResultRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The job's Kafka outputs, the same lines as the files, one record each:
 *
 * <pre>
 * TOPIC               result lines, keyed by the event key
 * TOPIC-late          events a windowed rule dropped as late, {"rule","version","event"}, keyed by the event key
 * TOPIC-dead-letters  malformed input (no key) and events a rule failed on (keyed by the event key)
 * TOPIC-shadow        differences of rule versions in shadow from the active ones (keyed by the result key)
 * </pre>
 *
 * <p>Exactly-once: each sink writes inside a Kafka transaction per checkpoint and commits it when
 * the checkpoint completes, so lines become visible to {@code read_committed} readers at
 * checkpoints, once each, also across failures and restores. The transactional ids start with
 * {@link KafkaOutput#transactionalIdPrefix}{@code (jobName, topic)}. Without checkpoints nothing
 * would ever be committed: the job always checkpoints ({@code --checkpoint-interval}, above 0).
 */
public final class KafkaSinks {

    private KafkaSinks() {}

    /** Writes results to the output topic (and to stdout when {@code print}). */
    public static void results(
            DataStream<ResultRecord> results, KafkaOutput output, String jobName, boolean print) {
        results.sinkTo(sink(output, jobName, output.topic(), new ResultSerializer(output.topic())))
                .name("results-sink")
                .uid("results-sink");
        if (print) {
            results.map(ResultRecord::json)
                    .returns(Types.STRING)
                    .name("result-lines")
                    .print()
                    .name("print-results");
        }
    }

    /** Writes late-event lines to TOPIC-late. */
    public static void lateEvents(DataStream<String> late, KafkaOutput output, String jobName) {
        late.sinkTo(
                        sink(
                                output,
                                jobName,
                                output.lateTopic(),
                                new KeyedLineSerializer(output.lateTopic())))
                .name("late-events-sink")
                .uid("late-events-sink");
    }

    /**
     * Writes the differences of rule versions in shadow to TOPIC-shadow, keyed by the result key.
     */
    public static void shadow(DataStream<String> shadow, KafkaOutput output, String jobName) {
        shadow.sinkTo(
                        sink(
                                output,
                                jobName,
                                output.shadowTopic(),
                                new KeyedLineSerializer(output.shadowTopic())))
                .name("shadow-sink")
                .uid("shadow-sink");
    }

    /** Writes dead-letter lines to TOPIC-dead-letters. */
    public static void deadLetters(
            DataStream<String> deadLetters, KafkaOutput output, String jobName) {
        deadLetters
                .sinkTo(
                        sink(
                                output,
                                jobName,
                                output.deadLettersTopic(),
                                new KeyedLineSerializer(output.deadLettersTopic())))
                .name("dead-letters-sink")
                .uid("dead-letters-sink");
    }

    private static <T> KafkaSink<T> sink(
            KafkaOutput output,
            String jobName,
            String topic,
            KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(output.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(output.delivery())
                .setTransactionalIdPrefix(KafkaOutput.transactionalIdPrefix(jobName, topic))
                .setProperty(
                        "transaction.timeout.ms",
                        Long.toString(output.transactionTimeout().toMillis()))
                .build();
    }
}
