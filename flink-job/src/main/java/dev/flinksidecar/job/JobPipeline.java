package dev.flinksidecar.job;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.kafka.KafkaSinks;
import dev.flinksidecar.job.kafka.KafkaSources;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.job.source.EventSources;
import dev.flinksidecar.job.source.InputSplitter;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.ResultRecord;
import java.io.IOException;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's dataflow, the same on a cluster and in local mode:
 *
 * <pre>
 * event files ─► parse ─┬─► keyBy(key) ─► sidecar ─┬─► results ─────────► DIR/results/
 *  (or a Kafka topic)   │                          ├─► late events ─────► DIR/late/
 *                       │                          ├─► shadow differences ► DIR/shadow/
 *                       │                          └─► rule dead letters ─┐
 *                       └─► malformed lines ──────────────────────────────┴► DIR/dead-letters/
 * </pre>
 *
 * With {@code --output kafka://.../TOPIC} the outputs are the topics TOPIC, TOPIC-late,
 * TOPIC-shadow and TOPIC-dead-letters instead ({@link KafkaSinks}); with {@code --input
 * kafka://...} the events come from a topic ({@link KafkaSources}). Checkpointing is always on:
 * both the file sinks and the exactly-once Kafka sinks commit their output at checkpoints, and
 * without them nothing would ever become visible.
 */
public final class JobPipeline {

    /** The job's name unless {@code --job-name} gives another. */
    public static final String JOB_NAME = JobArgs.DEFAULT_JOB_NAME;

    private JobPipeline() {}

    /** Adds the dataflow to {@code env}, talking to sidecars through {@code runners}. */
    public static void build(
            StreamExecutionEnvironment env,
            JobArgs args,
            SidecarOperatorOptions options,
            SidecarRunnerFactory runners)
            throws IOException {
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        Configuration noKryo = new Configuration();
        noKryo.set(
                PipelineOptions.GENERIC_TYPES, false); // every record type has its own serializer
        env.configure(noKryo);
        env.enableCheckpointing(args.checkpointInterval.toMillis());
        if (args.parallelism != null) {
            env.setParallelism(args.parallelism);
        }
        SingleOutputStreamOperator<EventRecord> events =
                args.kafkaInput != null
                        ? KafkaSources.read(
                                env,
                                args.kafkaInput,
                                args.outOfOrderness,
                                args.idleTimeout,
                                args.bounded)
                        : EventSources.read(
                                env,
                                args.input,
                                args.outOfOrderness,
                                args.deterministicWatermarks,
                                args.idleTimeout,
                                null,
                                args.maxLineBytes);
        SingleOutputStreamOperator<ResultRecord> results =
                SidecarStreams.process(
                                events.keyBy(EventRecord::key, Types.STRING), options, runners)
                        .uid(SidecarStreams.OPERATOR_NAME);
        DataStream<String> deadLetters =
                events.getSideOutput(InputSplitter.MALFORMED)
                        .union(results.getSideOutput(SidecarStreams.DEAD_LETTERS));
        DataStream<String> lateEvents = results.getSideOutput(SidecarStreams.LATE_EVENTS);
        DataStream<String> shadow = results.getSideOutput(SidecarStreams.SHADOW_DIFFERENCES);
        if (args.kafkaOutput != null) {
            KafkaSinks.results(results, args.kafkaOutput, args.jobName, args.print);
            KafkaSinks.deadLetters(deadLetters, args.kafkaOutput, args.jobName);
            KafkaSinks.lateEvents(lateEvents, args.kafkaOutput, args.jobName);
            KafkaSinks.shadow(shadow, args.kafkaOutput, args.jobName);
            return;
        }

        Path output = new Path(args.output);
        JsonLinesSinks.results(results, output, args.print);
        JsonLinesSinks.deadLetters(deadLetters, output);
        JsonLinesSinks.lateEvents(lateEvents, output);
        JsonLinesSinks.shadow(shadow, output);
        Path late = new Path(output, JsonLinesSinks.LATE);
        late.getFileSystem().mkdirs(late); // there even when no event is late
    }
}
