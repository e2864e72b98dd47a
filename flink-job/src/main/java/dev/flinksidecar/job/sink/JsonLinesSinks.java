package dev.flinksidecar.job.sink;

import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * The job's outputs: exactly-once JSON Lines files (Flink's {@code FileSink}, row format, a new
 * part file per checkpoint; files become visible when the checkpoint that covers them completes, so
 * checkpointing must be on).
 *
 * <pre>
 * DIR/results/       part-*.jsonl   one result line per result
 * DIR/dead-letters/  part-*.jsonl   malformed input and events a rule failed on
 * DIR/late/          part-*.jsonl   events a windowed rule dropped as late, {"rule","version","event"}
 * </pre>
 */
public final class JsonLinesSinks {

    public static final String RESULTS = "results";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String LATE = "late";

    /** The folder of the differences of rule versions in shadow, beside {@link #LATE}. */
    public static final String SHADOW = "shadow";

    private JsonLinesSinks() {}

    /**
     * An exactly-once sink of lines into {@code dir} (no date buckets, {@code .jsonl} part files).
     */
    public static FileSink<String> jsonLines(Path dir) {
        return FileSink.forRowFormat(
                        dir, new SimpleStringEncoder<String>(StandardCharsets.UTF_8.name()))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(
                        OutputFileConfig.builder()
                                .withPartPrefix("part")
                                .withPartSuffix(".jsonl")
                                .build())
                .build();
    }

    /** Writes results to {@code DIR/results/} (and to stdout when {@code print}). */
    public static void results(DataStream<ResultRecord> results, Path output, boolean print) {
        DataStream<String> lines =
                results.map(ResultRecord::json).returns(Types.STRING).name("result-lines");
        lines.sinkTo(jsonLines(new Path(output, RESULTS))).name("results-sink").uid("results-sink");
        if (print) {
            lines.print().name("print-results");
        }
    }

    /**
     * Writes late events (already JSON lines, as {@code replay --late-output}) to {@code
     * DIR/late/}.
     */
    public static void lateEvents(DataStream<String> late, Path output) {
        late.sinkTo(jsonLines(new Path(output, LATE)))
                .name("late-events-sink")
                .uid("late-events-sink");
    }

    /**
     * Writes the differences of rule versions in shadow ({@code sidecar admin shadow}, already JSON
     * lines) to {@code DIR/shadow/}.
     */
    public static void shadow(DataStream<String> shadow, Path output) {
        shadow.sinkTo(jsonLines(new Path(output, SHADOW))).name("shadow-sink").uid("shadow-sink");
    }

    /** Writes dead letters (already JSON lines) to {@code DIR/dead-letters/}. */
    public static void deadLetters(DataStream<String> deadLetters, Path output) {
        deadLetters
                .sinkTo(jsonLines(new Path(output, DEAD_LETTERS)))
                .name("dead-letters-sink")
                .uid("dead-letters-sink");
    }
}
