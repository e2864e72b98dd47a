package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The entry point for jobs, in the manner of {@code KeyedStream#process}:
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ResultRecord> results = SidecarStreams.process(
 *         events.keyBy(EventRecord::key, Types.STRING), SidecarOperatorOptions.defaults()
 *                 .with(SidecarOperatorOptions.SOCKET_PATH, "/run/sidecar.sock"));
 * DataStream<String> deadLetters = results.getSideOutput(SidecarStreams.DEAD_LETTERS);
 * DataStream<String> late = results.getSideOutput(SidecarStreams.LATE_EVENTS);
 * }</pre>
 *
 * Results leave in the order their events entered, per subtask (so per key); window results carry
 * their window's end - 1 as timestamp, as Flink's window operator gives them; watermarks follow the
 * results of the events before them.
 */
public final class SidecarStreams {

    /** Dead letters (events a rule failed on) as JSON lines. */
    public static final OutputTag<String> DEAD_LETTERS = SidecarOperator.DEAD_LETTERS;

    /**
     * Late events as JSON lines ({@code {"rule","version","event"}}, as {@code replay
     * --late-output} writes them): events a windowed rule dropped because the watermark had passed
     * every window they belong to plus the allowed lateness (Flink's {@code sideOutputLateData}).
     */
    public static final OutputTag<String> LATE_EVENTS = SidecarOperator.LATE_EVENTS;

    /**
     * The differences of rule versions in shadow ({@code sidecar admin shadow}) from the active
     * versions' results, as JSON lines: {@code {"rule","outcome","key","time" (or "window_start",
     * "window_end"),"active_version","candidate_version","sequence","active","candidate"}} with
     * outcome {@code added}, {@code removed} or {@code changed}, and {@code "outcome":"dropped"}
     * lines counting those the sidecar's rate limit left out. For the rule author, not exact across
     * failures.
     */
    public static final OutputTag<String> SHADOW_DIFFERENCES = SidecarOperator.SHADOW_DIFFERENCES;

    /**
     * The job-result accumulator of sampled latencies (see {@link
     * SidecarOperatorOptions#LATENCY_SAMPLE_INTERVAL}): an {@link
     * org.apache.flink.api.common.accumulators.Histogram}, microseconds to counts, merged over
     * subtasks. Read it with {@code JobExecutionResult.getAccumulatorResult(LATENCY_ACCUMULATOR)}.
     */
    public static final String LATENCY_ACCUMULATOR = "sidecar-latency-us";

    /** Name of the operator in the job graph (and its uid in the job's main). */
    public static final String OPERATOR_NAME = "sidecar";

    private SidecarStreams() {}

    /** Runs the events through the sidecar on the options' socket. */
    public static SingleOutputStreamOperator<ResultRecord> process(
            KeyedStream<EventRecord, String> events, SidecarOperatorOptions options) {
        return process(events, options, SidecarRunnerFactory.socket());
    }

    /**
     * Runs the events through the runners that {@code runners} makes (tests use an in-process one).
     */
    public static SingleOutputStreamOperator<ResultRecord> process(
            KeyedStream<EventRecord, String> events,
            SidecarOperatorOptions options,
            SidecarRunnerFactory runners) {
        return events.transform(
                OPERATOR_NAME, RecordTypes.RESULT, new SidecarOperatorFactory(options, runners));
    }
}
