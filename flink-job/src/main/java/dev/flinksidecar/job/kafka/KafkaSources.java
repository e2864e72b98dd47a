package dev.flinksidecar.job.kafka;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.source.EventTimeWatermarks;
import dev.flinksidecar.job.source.InputRecord;
import dev.flinksidecar.job.source.InputSplitter;
import dev.flinksidecar.operator.types.RecordTypes;
import java.time.Duration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Kafka input of the job: Flink's {@code KafkaSource} on one topic, event-time watermarks per
 * partition, and the split into events and dead letters ({@link InputSplitter}, as for files).
 *
 * <p>Watermarks: the strategy goes to the source itself, so Flink runs one watermark generator per
 * partition (split) and a reader's watermark is the smallest of its partitions'; each partition's
 * is its largest event time minus the out-of-orderness minus 1 ms. A partition with no records for
 * the idle timeout is marked idle and stops holding the others back until its next record; without
 * that one quiet partition would stop every window.
 *
 * <p>The source's position (offsets per partition) is in Flink's checkpoints; the consumer group's
 * committed offsets follow completed checkpoints. Bounded: the job stops at the offsets the topic
 * had when it started.
 */
public final class KafkaSources {

    public static final String SOURCE_NAME = "kafka-events";

    private KafkaSources() {}

    /**
     * Reads {@code input}.
     *
     * @param bounded stop at the end offsets as of the job's start instead of running until
     *     cancelled
     * @param idleTimeout zero: partitions are never idle
     */
    public static SingleOutputStreamOperator<EventRecord> read(
            StreamExecutionEnvironment env,
            KafkaInput input,
            Duration outOfOrderness,
            Duration idleTimeout,
            boolean bounded) {
        KafkaSourceBuilder<InputRecord> builder =
                KafkaSource.<InputRecord>builder()
                        .setBootstrapServers(input.bootstrapServers())
                        .setTopics(input.topic())
                        .setGroupId(input.group())
                        .setClientIdPrefix(input.group() + "-" + input.topic())
                        .setStartingOffsets(input.startingOffsets())
                        .setDeserializer(new KafkaEventDeserializer(input.format()))
                        // a new partition of the topic is picked up within half a minute
                        .setProperty("partition.discovery.interval.ms", "30000")
                        // only committed records of transactional producers (such as another
                        // exactly-once job)
                        .setProperty("isolation.level", "read_committed");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        DataStreamSource<InputRecord> records =
                env.fromSource(
                        builder.build(),
                        EventTimeWatermarks.strategy(outOfOrderness, false, idleTimeout),
                        SOURCE_NAME,
                        InputRecord.TYPE);
        records.uid(SOURCE_NAME);
        return records.process(new InputSplitter(), RecordTypes.EVENT).name("parse").uid("parse");
    }
}
