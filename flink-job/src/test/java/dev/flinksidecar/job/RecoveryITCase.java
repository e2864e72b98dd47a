package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.SupervisedSidecar;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.operator.SidecarOperator;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.scheduler.ExecutionGraphInfo;
import org.apache.flink.runtime.scheduler.exceptionhistory.RootExceptionHistoryEntry;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once sidecar state and a sidecar crash that costs latency, not a job restart. Every
 * scenario runs the same 1,000,000 generated events (1,000 keys, in time order, a watermark after
 * every event) through a per-event rule and a one-minute tumbling window rule, with checkpoints
 * every 300 ms, the sidecar operator at parallelism 2 (unless rescaled), a real sidecar process
 * supervised as local mode does (restarted when it dies), and exactly-once file sinks. Each
 * scenario's committed output must equal that of a run without failures, version tags included.
 *
 * <p>The scenarios that disturb the sidecar run the source at a fixed rate, so that the job lasts
 * long enough for them; the pauses between disturbances are the scenario's schedule, not a way to
 * wait for something. A job that must not restart runs with Flink's restart strategy "none": any
 * task failure would fail it; and its exception history must be empty.
 */
@Timeout(900)
class RecoveryITCase {

    private static final int EVENTS = 1_000_000;
    private static final int KEYS = 1_000;
    private static final long BASE = 1_767_225_600_000L;
    private static final long STEP_MS = 5;
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .setConfiguration(fastMetrics())
                            .build());

    /** Metrics reach the REST API within 200 ms (the default is every 10 s). */
    private static Configuration fastMetrics() {
        Configuration conf = new Configuration();
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return conf;
    }

    private static List<String> reference;

    @TempDir Path tmp;

    @Test
    void sidecarKilledTenTimesTheJobNeverRestartsAndTheOutputIsExact(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Job job = new Job(tmp.resolve("killed")).rate(30_000);
        Random random = new Random(42);
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        int kills =
                job.run(
                        cluster,
                        (client, sidecar) -> {
                            // the kills are of running sessions: a subtask that cannot open its
                            // first one fails, as it should
                            rest.awaitRunning(
                                    client.getJobID(),
                                    SidecarStreams.OPERATOR_NAME,
                                    job.parallelism);
                            int done = 0;
                            while (done < 10
                                    && !client.getJobStatus().get().isGloballyTerminalState()) {
                                Thread.sleep(
                                        300 + random.nextInt(1_200)); // the schedule of the kills
                                long pid = sidecar.pid();
                                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                                sidecar.awaitReadyOtherThan(pid, Duration.ofMinutes(1));
                                done++;
                            }
                            return done;
                        });
        assertThat(kills).as("sidecar kills while the job ran").isEqualTo(10);
        assertThat(job.restarts).as("job restarts: %s", job.exceptions).isZero();
        assertSameMultiset("results after 10 sidecar kills", job.results(), reference(cluster));
    }

    @Test
    void failuresInsideTheJobRestoreToTheSameOutput(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Job job =
                new Job(tmp.resolve("job-failures"))
                        .rate(200_000)
                        .failEvery(120_000, 10)
                        .restartAttempts(20);
        job.run(cluster, (client, sidecar) -> 0);
        assertThat(job.forcedFailures)
                .as("forced failures before the input ran out")
                .isGreaterThanOrEqualTo(5);
        assertThat(job.restarts)
                .as("restarts, one per forced failure")
                .isEqualTo(job.forcedFailures);
        assertSameMultiset("results after 10 job failures", job.results(), reference(cluster));
    }

    @Test
    void aSidecarFrozenForTenSecondsOnlyDelaysTheJob(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Job job = new Job(tmp.resolve("frozen")).rate(40_000);
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        double[] maxInFlight = {0, 0};
        List<Double> resultsWhileFrozen = new ArrayList<>();
        job.run(
                cluster,
                (client, sidecar) -> {
                    String operator = SidecarStreams.OPERATOR_NAME;
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    while (rest.max(client.getJobID(), operator, operator, "sidecarResults")
                                    .orElse(0)
                            == 0) {
                        assertThat(System.nanoTime())
                                .as("results flowing within a minute")
                                .isLessThan(deadline);
                        Thread.sleep(100); // polling the job's metrics, bounded by the deadline
                    }
                    signal("STOP", sidecar.pid());
                    try {
                        // the freeze lasts 10 s; meanwhile the operator's gauges are read twice a
                        // second. The REST
                        // API answers with what it fetched at the previous request, so readings
                        // from 2 s on are
                        // all of the frozen sidecar.
                        long start = System.nanoTime();
                        long settled = start + TimeUnit.SECONDS.toNanos(2);
                        long end = start + TimeUnit.SECONDS.toNanos(10);
                        while (System.nanoTime() < end) {
                            rest.max(
                                            client.getJobID(),
                                            operator,
                                            operator,
                                            "sidecarInFlightBatches")
                                    .ifPresent(v -> maxInFlight[0] = Math.max(maxInFlight[0], v));
                            rest.max(client.getJobID(), operator, operator, "sidecarInFlightBytes")
                                    .ifPresent(v -> maxInFlight[1] = Math.max(maxInFlight[1], v));
                            if (System.nanoTime() > settled) {
                                resultsWhileFrozen.add(
                                        rest.max(
                                                        client.getJobID(),
                                                        operator,
                                                        operator,
                                                        "sidecarResults")
                                                .orElse(0));
                            }
                            Thread.sleep(500);
                        }
                    } finally {
                        signal("CONT", sidecar.pid());
                    }
                    return 0;
                });
        assertThat(job.restarts).as("job restarts: %s", job.exceptions).isZero();
        // a subtask may spend the whole freeze waiting for a checkpoint barrier's answer, with no
        // batch in
        // flight; so the bound is checked, and that nothing came back, not that batches were in
        // flight
        assertThat(resultsWhileFrozen)
                .as("readings while the sidecar was frozen")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(resultsWhileFrozen)
                .as("results emitted, read while the sidecar was frozen")
                .containsOnly(resultsWhileFrozen.get(0));
        SidecarOperatorOptions defaults = SidecarOperatorOptions.defaults();
        assertThat(maxInFlight[0])
                .as("batches in flight while frozen (the cap held; the rest waited upstream)")
                .isLessThanOrEqualTo(defaults.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BATCHES));
        assertThat(maxInFlight[1])
                .as("bytes in flight while frozen")
                .isLessThanOrEqualTo(
                        defaults.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BYTES).getBytes());
        assertSameMultiset("results after a 10 s freeze", job.results(), reference(cluster));
    }

    /**
     * The sidecar frozen while the operator is blocked writing to it: at full rate, with an
     * in-flight window (64 batches) larger than what the sidecar takes in before it stops reading
     * (its max-pending-batches, 16) plus the socket's buffers, the task thread waits in a socket
     * write, where no mailbox watchdog can see it. The write watchdog breaks the session about
     * answer-timeout (2 s here) after the freeze; once the sidecar resumes, the new session takes
     * over and the output is exact, without a job restart.
     */
    @Test
    void aSidecarFrozenWhileTheOperatorWaitsInASocketWriteIsDetectedAtTheAnswerTimeout(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Duration answerTimeout = Duration.ofSeconds(2);
        Job job =
                new Job(tmp.resolve("frozen-in-write"))
                        .options(
                                options ->
                                        options.with(
                                                        SidecarOperatorOptions.ANSWER_TIMEOUT,
                                                        answerTimeout)
                                                .with(
                                                        SidecarOperatorOptions
                                                                .MAX_IN_FLIGHT_BATCHES,
                                                        64));
        String[] detection = new String[1];
        try (CapturedLog log = new CapturedLog(SidecarOperator.class.getName())) {
            job.run(
                    cluster,
                    (client, sidecar) -> {
                        String writer = awaitBlockedSocketWrite(Duration.ofMinutes(1));
                        long pid = sidecar.pid();
                        signal("STOP", pid);
                        long frozen = System.nanoTime();
                        try {
                            // the bound is generous: a deadline, not a measurement
                            CapturedLog.Line broke =
                                    log.await(
                                            "the session broke after the freeze",
                                            frozen,
                                            answerTimeout.plusSeconds(15),
                                            line -> line.contains(" broke ("));
                            detection[0] =
                                    String.format(
                                            "frozen while %s waited in a socket write; detected"
                                                    + " after %d ms (answer-timeout %d ms): %s",
                                            writer,
                                            TimeUnit.NANOSECONDS.toMillis(broke.nanos() - frozen),
                                            answerTimeout.toMillis(),
                                            broke.text());
                        } finally {
                            signal("CONT", pid);
                        }
                        return 0;
                    });
        }
        System.out.println(detection[0]);
        assertThat(job.restarts).as("job restarts: %s", job.exceptions).isZero();
        assertSameMultiset(
                "results after a freeze during a socket write", job.results(), reference(cluster));
    }

    /**
     * Waits until a thread of this JVM (where the MiniCluster's tasks run) is blocked in a write to
     * the sidecar's socket: inside the client's output stream, parked in the JDK's poll for the
     * socket to take more.
     *
     * @return the thread's name
     */
    private static String awaitBlockedSocketWrite(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Map.Entry<Thread, StackTraceElement[]> thread :
                    Thread.getAllStackTraces().entrySet()) {
                StackTraceElement[] stack = thread.getValue();
                if (stack.length > 0
                        && stack[0].getClassName().equals("sun.nio.ch.Net")
                        && stack[0].getMethodName().equals("poll")
                        && Arrays.stream(stack)
                                .anyMatch(
                                        frame ->
                                                frame.getClassName()
                                                                .equals(
                                                                        "dev.flinksidecar.operator.client.ChannelStreams$Output")
                                                        && frame.getMethodName().equals("write"))) {
                    return thread.getKey().getName();
                }
            }
            assertThat(System.nanoTime())
                    .as("a task blocked in a socket write to the sidecar within %s", timeout)
                    .isLessThan(deadline);
            Thread.sleep(5); // sampling the task threads' stacks, bounded by the deadline
        }
    }

    @ParameterizedTest(name = "savepoint at parallelism 2, restored at {0}")
    @ValueSource(ints = {3, 1})
    void aSavepointRestoresAtAnotherParallelismWithEveryKeysWindows(
            int parallelism, @InjectMiniCluster MiniCluster cluster) throws Exception {
        Path dir = tmp.resolve("rescale-" + parallelism);
        Path savepoints = Files.createDirectories(dir.resolve("savepoints"));
        Job first = new Job(dir).rate(60_000);
        String[] savepoint = new String[1];
        first.run(
                cluster,
                (client, sidecar) -> {
                    Thread.sleep(4_000); // into the run: windows are open
                    savepoint[0] =
                            client.stopWithSavepoint(
                                            false,
                                            savepoints.toUri().toString(),
                                            SavepointFormatType.CANONICAL)
                                    .get(2, TimeUnit.MINUTES);
                    return 0;
                });
        Job second = new Job(dir).parallelism(parallelism).restoreFrom(savepoint[0]);
        second.run(cluster, (client, sidecar) -> 0);
        assertSameMultiset(
                "results across a savepoint, rescaled from 2 to " + parallelism,
                second.results(),
                reference(cluster));
    }

    @Test
    void whenTheReplayBufferIsExceededTheTaskFailsClearlyAndFlinkRecovers(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Job job =
                new Job(tmp.resolve("fallback"))
                        .rate(40_000)
                        .replayBuffer("1kb")
                        .restartAttempts(3);
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        job.run(
                cluster,
                (client, sidecar) -> {
                    rest.awaitRunning(
                            client.getJobID(), SidecarStreams.OPERATOR_NAME, job.parallelism);
                    Thread.sleep(3_000); // into the run
                    long pid = sidecar.pid();
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    sidecar.awaitReadyOtherThan(pid, Duration.ofMinutes(1));
                    return 1;
                });
        assertThat(job.restarts).as("Flink restarted the job once").isPositive();
        assertThat(job.exceptions)
                .anySatisfy(
                        message ->
                                assertThat(message)
                                        .contains("cannot be resent")
                                        .contains("sidecar.operator.replay-buffer"));
        assertSameMultiset("results after the fallback", job.results(), reference(cluster));
    }

    /** The committed results of the same input without failures (computed once, at full speed). */
    private synchronized List<String> reference(MiniCluster cluster) throws Exception {
        if (reference == null) {
            Job job = new Job(Files.createTempDirectory("recovery-reference"));
            job.run(cluster, (client, sidecar) -> 0);
            assertThat(job.restarts).isZero();
            reference = job.results();
        }
        return reference;
    }

    /** What a scenario does while the job runs; returns what it counted. */
    @FunctionalInterface
    private interface During {
        int run(JobClient client, SupervisedSidecar sidecar) throws Exception;
    }

    /**
     * One run of the job, with its sidecar, in its own folder (a restored run shares its output
     * folder).
     */
    private static final class Job {
        final Path dir;
        int parallelism = 2;
        double rate;
        long failEvery;
        int failTimes;
        int restartAttempts;
        String replayBuffer;
        String savepoint;
        UnaryOperator<SidecarOperatorOptions> tuning = UnaryOperator.identity();
        int restarts;
        int forcedFailures;
        List<String> exceptions = new ArrayList<>();

        Job(Path dir) {
            this.dir = dir;
        }

        Job rate(double eventsPerSecond) {
            rate = eventsPerSecond;
            return this;
        }

        Job failEvery(long records, int times) {
            failEvery = records;
            failTimes = times;
            return this;
        }

        Job restartAttempts(int attempts) {
            restartAttempts = attempts;
            return this;
        }

        Job replayBuffer(String size) {
            replayBuffer = size;
            return this;
        }

        /** Changes the operator's options (after the socket path is set). */
        Job options(UnaryOperator<SidecarOperatorOptions> change) {
            tuning = change;
            return this;
        }

        Job parallelism(int n) {
            parallelism = n;
            return this;
        }

        Job restoreFrom(String path) {
            savepoint = path;
            return this;
        }

        List<String> results() throws Exception {
            return JobOutput.committedLines(dir.resolve("out").resolve(JsonLinesSinks.RESULTS));
        }

        int run(MiniCluster cluster, During during) throws Exception {
            Path rules = dir.resolve("rules");
            if (!Files.isDirectory(rules)) {
                TestSidecars.deploy(
                        rules,
                        "threshold",
                        "big",
                        "{\"id\": \"big\", \"field\": \"amount\", \"limit\": 900}");
                TestSidecars.deploy(
                        rules,
                        "windowed-aggregate",
                        "minute-sum",
                        "{\"id\": \"minute-sum\", \"window\":"
                                + " {\"type\": \"tumbling\", \"size\": \"60s\"}, \"allowed_lateness\": \"0s\", \"aggregate\":"
                                + " \"sum\", \"field\": \"amount\", \"event_type\": \"payment\"}");
            }
            Path socket = dir.resolve("s.sock");
            String failures = UUID.randomUUID().toString();
            FAILURES.put(failures, new AtomicInteger());
            int counted;
            try (SupervisedSidecar sidecar =
                    SupervisedSidecar.start(
                            TestSidecars.command(dir),
                            socket,
                            rules,
                            dir.resolve("sidecar.log"),
                            Duration.ofMinutes(1))) {
                JobClient client = submit(socket, failures);
                try {
                    counted = during.run(client, sidecar);
                    JobStatus status =
                            client.getJobExecutionResult()
                                    .thenApply(r -> JobStatus.FINISHED)
                                    .exceptionally(e -> JobStatus.FAILED)
                                    .get(5, TimeUnit.MINUTES);
                    if (savepoint == null || status != JobStatus.FINISHED) {
                        record(cluster, client);
                    }
                    assertThat(status)
                            .as(
                                    "job end (exceptions: %s; sidecar log: %s)",
                                    exceptions, dir.resolve("sidecar.log"))
                            .isEqualTo(JobStatus.FINISHED);
                } finally {
                    if (!client.getJobStatus().get().isGloballyTerminalState()) {
                        client.cancel().get(1, TimeUnit.MINUTES);
                    }
                }
            } finally {
                forcedFailures = Math.min(FAILURES.remove(failures).get(), failTimes);
            }
            return counted;
        }

        /** Notes the job's restarts and their causes from its exception history. */
        private void record(MiniCluster cluster, JobClient client) throws Exception {
            ExecutionGraphInfo info =
                    cluster.getExecutionGraphInfo(client.getJobID()).get(1, TimeUnit.MINUTES);
            for (RootExceptionHistoryEntry entry : info.getExceptionHistory()) {
                restarts++;
                exceptions.add(entry.getException().getFullStringifiedStackTrace());
            }
        }

        private JobClient submit(Path socket, String failures) throws Exception {
            Configuration conf = new Configuration();
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
            if (restartAttempts > 0) {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                        restartAttempts);
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                        Duration.ofMillis(100));
            } else {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            }
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            env.setMaxParallelism(128);

            DataGeneratorSource<EventRecord> source =
                    new DataGeneratorSource<>(
                            RecoveryITCase::event,
                            EVENTS,
                            rate > 0
                                    ? RateLimiterStrategy.perSecond(rate)
                                    : RateLimiterStrategy.noOp(),
                            RecordTypes.EVENT);
            DataStream<EventRecord> events =
                    env.fromSource(source, TestStreams.perEventWatermarks(), "generated")
                            .uid("generated")
                            .setParallelism(1)
                            .map(new FailEvery(failures, failEvery, failTimes))
                            .returns(RecordTypes.EVENT)
                            .uid("fail-every")
                            .setParallelism(1);
            SidecarOperatorOptions options =
                    SidecarOperatorOptions.defaults()
                            .with(SidecarOperatorOptions.SOCKET_PATH, socket.toString());
            if (replayBuffer != null) {
                options =
                        options.with(
                                SidecarOperatorOptions.REPLAY_BUFFER,
                                MemorySize.parse(replayBuffer));
            }
            options = tuning.apply(options);
            SingleOutputStreamOperator<ResultRecord> results =
                    SidecarStreams.process(events.keyBy(EventRecord::key, Types.STRING), options)
                            .uid(SidecarStreams.OPERATOR_NAME);
            org.apache.flink.core.fs.Path out =
                    new org.apache.flink.core.fs.Path(dir.resolve("out").toUri());
            JsonLinesSinks.results(results, out, false);
            JsonLinesSinks.lateEvents(results.getSideOutput(SidecarStreams.LATE_EVENTS), out);
            return env.executeAsync("RecoveryITCase " + dir.getFileName());
        }
    }

    /** Event {@code n}: one of 1,000 keys, every 5 ms, an amount from 0 to 999. */
    private static EventRecord event(long n) {
        return EventRecord.builder("k" + (n * 7919) % KEYS, BASE + n * STEP_MS)
                .type("payment")
                .set("amount", n % 1000)
                .build();
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill =
                new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0)
                .as("kill -%s %d", signal, pid)
                .isTrue();
    }

    /**
     * Throws after every {@code every} records of an attempt, {@code times} times in all (counted
     * across attempts).
     */
    private static final class FailEvery extends RichMapFunction<EventRecord, EventRecord> {
        private static final long serialVersionUID = 1L;
        private final String failures;
        private final long every;
        private final int times;
        private long seen;

        FailEvery(String failures, long every, int times) {
            this.failures = failures;
            this.every = every;
            this.times = times;
        }

        @Override
        public EventRecord map(EventRecord event) {
            if (every > 0
                    && ++seen % every == 0
                    && FAILURES.get(failures).getAndIncrement() < times) {
                throw new IllegalStateException(
                        "forced failure after " + seen + " records of this attempt (test)");
            }
            return event;
        }
    }
}
