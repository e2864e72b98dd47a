package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A windowed rule swapped under a running job activates at one checkpoint on every subtask, and a
 * failure after the swap restores to the same output as a run without failure.
 *
 * <p>The stream (one source subtask, the sidecar operator at parallelism 2, a real sidecar process,
 * exactly-once file sinks) has two phases. Phase 1: 20 keys of payments, then one event of another
 * type (which the rule ignores) far ahead in time, whose watermark fires every phase-1 window.
 * Phase 2: payments again, later in time. The source pauses twice, so that the test acts at exact
 * points of the stream: early in phase 1 a new version of the rule is deployed (it is staged: no
 * checkpoint has been taken); at the end of phase 1 the test takes checkpoint 1, whose barrier is
 * then at that point on both subtasks. So every phase-1 window must come from the old version and
 * every phase-2 window from the new one. Checkpoints are only taken when the test asks (the
 * periodic interval is an hour), so the run with a failure (an exception in phase 2, first attempt
 * only) restores from checkpoint 1, where no window is open; its sessions then say they restored
 * from checkpoint 1 and must get the new version again, and the committed output must equal the
 * failure-free run's, version tags included.
 */
@Timeout(300)
class WindowedSwapITCase {

    private static final long BASE = 1_767_225_600_000L;
    private static final long STEP_MS = 50;
    private static final int KEYS = 20;

    /** Pause 0: the new version is deployed here, while phase 1 runs. */
    private static final int DEPLOY_AT = 2_000;

    /** Pause 1: the end of phase 1 (its last event is the flush); checkpoint 1 is taken here. */
    private static final int PHASE_2 = 10_000;

    private static final int EVENTS = 18_000;

    /** The failing run throws before this event, in phase 2, in its first attempt. */
    private static final int FAIL_AT = PHASE_2 + 3_000;

    /** The time of the flush event and the start of phase 2 (a multiple of the 10 s windows). */
    private static final long PHASE_2_TIME = BASE + 10_000_000L;

    private static final Pattern STAGED = Pattern.compile("right after checkpoint barrier (\\d+)");
    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path tmp;

    @Test
    void activatesAtOneCheckpointOnEverySubtaskAndRestoresToTheFailureFreeOutput(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        Run failureFree = run(cluster, "failure-free", false);
        Run withFailure = run(cluster, "with-failure", true);

        for (Run run : List.of(failureFree, withFailure)) {
            assertThat(run.results).as("%s: results", run.name).hasSize(KEYS * 50 + KEYS * 40);
            for (String line : run.results) {
                long end = Long.parseLong(JobOutput.field(line, "window_end"));
                String version = JobOutput.field(line, "version");
                assertThat(version)
                        .as("%s: %s", run.name, line)
                        .startsWith(end <= PHASE_2_TIME ? "1.0.1+" : "1.0.2+");
            }
        }
        assertThat(withFailure.failed).as("the failing run failed once").isTrue();
        assertSameMultiset(
                "results after a failure and restore", withFailure.results, failureFree.results);
        assertSameMultiset(
                "late events after a failure and restore", withFailure.late, failureFree.late);
    }

    private record Run(String name, List<String> results, List<String> late, boolean failed) {}

    private Run run(ClusterClient<?> cluster, String name, boolean fail) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path rules = dir.resolve("rules");
        TestSidecars.deploy(rules, "windowed-aggregate", "win", config(1));
        Path socket = dir.resolve("sidecar.sock");
        Path admin = dir.resolve("sidecar.sock.admin");
        Path output = dir.resolve("out");
        String gateName = UUID.randomUUID().toString();
        Gate gate = new Gate(2);
        GATES.put(gateName, gate);
        JobClient job = null;
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(dir),
                        socket,
                        rules,
                        dir.resolve("sidecar.log"),
                        Duration.ofSeconds(60))) {
            job = submit(gateName, socket, output, fail);

            gate.reached(0).get(2, TimeUnit.MINUTES);
            // the source can get here before the sidecar operator's subtasks have opened their
            // sessions
            new FlinkRest(FLINK.getClientConfiguration())
                    .awaitRunning(job.getJobID(), SidecarStreams.OPERATOR_NAME, 2);
            Path next = Files.writeString(dir.resolve("win-2.json"), config(2));
            String deployed =
                    TestSidecars.admin(
                            admin,
                            "deploy",
                            TestSidecars.exampleJar("windowed-aggregate").toString(),
                            "--config",
                            next.toString());
            Matcher staged = STAGED.matcher(deployed);
            assertThat(staged.find()).as("a windowed version is staged: %s", deployed).isTrue();
            assertThat(staged.group(1)).as("it waits for the first checkpoint").isEqualTo("1");
            gate.release(0);

            gate.reached(1).get(2, TimeUnit.MINUTES);
            long checkpoint =
                    cluster.triggerCheckpoint(job.getJobID(), CheckpointType.FULL)
                            .get(2, TimeUnit.MINUTES);
            assertThat(checkpoint).isEqualTo(1);
            assertThat(TestSidecars.admin(admin, "list"))
                    .as("active after checkpoint 1")
                    .contains("1.0.2+");
            gate.release(1);

            if (fail) {
                gate.failed.get(2, TimeUnit.MINUTES);
            }
            checkpointUntilFinished(cluster, job);
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            assertThat(sidecar.isAlive()).as("sidecar still running: %s", sidecar.tail()).isTrue();
        } finally {
            if (job != null && !job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
            GATES.remove(gateName);
        }
        return new Run(
                name,
                JobOutput.committedLines(output.resolve(JsonLinesSinks.RESULTS)),
                JobOutput.committedLines(output.resolve(JsonLinesSinks.LATE)),
                gate.failed.isDone());
    }

    private JobClient submit(String gateName, Path socket, Path output, boolean fail)
            throws Exception {
        Configuration conf = new Configuration();
        // checkpoints come when the test asks; the interval only tells the operator the job
        // checkpoints
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofHours(1));
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofHours(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);

        DataGeneratorSource<EventRecord> source =
                new DataGeneratorSource<>(
                        WindowedSwapITCase::event,
                        EVENTS,
                        new PausingStrategy(gateName, new long[] {DEPLOY_AT, PHASE_2}),
                        RecordTypes.EVENT);
        DataStream<EventRecord> events =
                env.fromSource(source, TestStreams.perEventWatermarks(), "generated")
                        .setParallelism(1)
                        .map(new FailOnce(gateName, fail ? FAIL_AT : -1))
                        .returns(RecordTypes.EVENT)
                        .setParallelism(1);
        SingleOutputStreamOperator<ResultRecord> results =
                SidecarStreams.process(
                        events.keyBy(EventRecord::key, Types.STRING),
                        SidecarOperatorOptions.defaults()
                                .with(SidecarOperatorOptions.SOCKET_PATH, socket.toString()));
        JsonLinesSinks.results(results, new org.apache.flink.core.fs.Path(output.toUri()), false);
        JsonLinesSinks.lateEvents(
                results.getSideOutput(SidecarStreams.LATE_EVENTS),
                new org.apache.flink.core.fs.Path(output.toUri()));
        return env.executeAsync("WindowedSwapITCase");
    }

    /**
     * Takes checkpoints one after another until the job ends (its sinks commit at them, the last
     * one included).
     */
    private static void checkpointUntilFinished(ClusterClient<?> cluster, JobClient job)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        CompletableFuture<?> finished = job.getJobExecutionResult();
        while (!finished.isDone()) {
            assertThat(System.nanoTime()).as("job finished within 2 minutes").isLessThan(deadline);
            try {
                // a checkpoint triggered as the job ends may never complete: the end counts too
                CompletableFuture.anyOf(
                                cluster.triggerCheckpoint(job.getJobID(), CheckpointType.FULL),
                                finished)
                        .get(1, TimeUnit.MINUTES);
            } catch (Exception e) {
                // restarting or finishing: not every task is running; the next attempt decides
                Thread.sleep(50); // polling the job's state, bounded by the deadline
            }
        }
    }

    private static String config(int version) {
        return "{\"id\": \"win\", \"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"allowed_lateness\": \"0s\", "
                + "\"aggregate\": \"sum\", \"field\": \"amount\", \"event_type\": \"payment\", \"version\": \"1.0."
                + version
                + "\"}";
    }

    /**
     * Phase 1: payments every 50 ms, then the flush event far ahead; phase 2: payments from there.
     */
    private static EventRecord event(long n) {
        if (n == PHASE_2 - 1) {
            return EventRecord.builder("flush", PHASE_2_TIME).type("flush").build();
        }
        long time = n < PHASE_2 ? BASE + n * STEP_MS : PHASE_2_TIME + (n - PHASE_2) * STEP_MS;
        return EventRecord.builder("k" + n % KEYS, time)
                .type("payment")
                .set("amount", n % 100)
                .build();
    }

    /**
     * Where the source pauses and the test lets it go on; shared through {@link #GATES} (one JVM).
     */
    private static final class Gate {
        final List<CompletableFuture<Void>> reached = new ArrayList<>();
        final List<CompletableFuture<Void>> released = new ArrayList<>();
        final CompletableFuture<Void> failed = new CompletableFuture<>();

        Gate(int pauses) {
            for (int i = 0; i < pauses; i++) {
                reached.add(new CompletableFuture<>());
                released.add(new CompletableFuture<>());
            }
        }

        CompletableFuture<Void> reached(int pause) {
            return reached.get(pause);
        }

        void release(int pause) {
            released.get(pause).complete(null);
        }
    }

    /**
     * Lets records through until one of the pause points (records emitted so far), then waits for
     * the test. A restarted attempt starts counting again, but its gates are open by then.
     */
    private static final class PausingStrategy
            implements RateLimiterStrategy<
                    org.apache.flink.api.connector.source.lib.NumberSequenceSource
                            .NumberSequenceSplit> {
        private static final long serialVersionUID = 1L;
        private final String gate;
        private final long[] points;

        PausingStrategy(String gate, long[] points) {
            this.gate = gate;
            this.points = points;
        }

        @Override
        public RateLimiter<
                        org.apache.flink.api.connector.source.lib.NumberSequenceSource
                                .NumberSequenceSplit>
                createRateLimiter(int parallelism) {
            Gate shared = GATES.get(gate);
            return new RateLimiter<>() {
                private long granted;
                private int next;

                @Override
                public CompletionStage<Void> acquire(int permits) {
                    CompletionStage<Void> wait = CompletableFuture.completedFuture(null);
                    if (next < points.length && granted == points[next]) {
                        shared.reached(next).complete(null);
                        wait = shared.released.get(next);
                        next++;
                    }
                    granted += permits;
                    return wait;
                }
            };
        }
    }

    /** Throws before record {@code at} in the first attempt only (and tells the test). */
    private static final class FailOnce extends RichMapFunction<EventRecord, EventRecord> {
        private static final long serialVersionUID = 1L;
        private final String gate;
        private final long at;
        private long seen;

        FailOnce(String gate, long at) {
            this.gate = gate;
            this.at = at;
        }

        @Override
        public EventRecord map(EventRecord event) {
            if (seen++ == at && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                GATES.get(gate).failed.complete(null);
                throw new IllegalStateException("forced failure before event " + at + " (test)");
            }
            return event;
        }
    }
}
