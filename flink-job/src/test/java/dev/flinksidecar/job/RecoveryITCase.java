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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
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
import org.apache.flink.connector.datagen.source.GeneratorFunction;
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
 * every 300 ms (unless a scenario says otherwise), the sidecar operator at parallelism 2 (unless
 * rescaled), a real sidecar process supervised as local mode does (restarted when it dies), and
 * exactly-once file sinks. Each scenario's committed output must equal that of a run without
 * failures, version tags included.
 *
 * <p>The scenarios that disturb the sidecar run the source at a fixed rate (but the one that must
 * meet the operator in a full socket, at full rate), so that the job lasts long enough for them;
 * the pauses between disturbances are the scenario's schedule, not a way to wait for something. A
 * job that must not restart runs with Flink's restart strategy "none": any task failure would fail
 * it; and its exception history must be empty.
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
                    awaitResults(rest, client, 1);
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
     * The sidecar frozen while the operator writes to it at full rate: the operator goes on sending
     * batches into its in-flight window (1,000 batches here, far more than the socket's buffers
     * hold) until the socket is full, and the task thread then waits in a socket write, where no
     * mailbox timer runs. The write watchdog closes the connection answer-timeout after the last
     * byte moved, the write fails, and the session counts as broken (the line that says so may come
     * from the mailbox's watchdog: its timer, due while the task thread waited, runs first once the
     * write has failed). Once the sidecar resumes, the new session takes over and the output is
     * exact, without a job restart. The test sees a task thread wait in a socket write for a second
     * after the freeze and leave it, and a session break, while the sidecar is still frozen; it
     * prints when. Without the write watchdog that thread would leave the write only once the
     * sidecar resumes.
     *
     * <p>For a task thread to meet the freeze in a write, the socket must fill before
     * answer-timeout (2 s) passes: the events carry a payload of 200 bytes (no rule reads it), so
     * the socket's buffers (about 200 KB) fill within a few thousand events, and the freeze comes
     * well into the run, where the input flows at full rate. Once one subtask waits in a write, the
     * source waits for it too, so the other subtask may get no more input and meet the freeze in
     * its mailbox. The first checkpoint comes a minute after the start, after the freeze: a
     * checkpoint barrier during the freeze would have the task thread wait for the sidecar's
     * acknowledgement in its mailbox too. Until then every batch stays in the resend log: the whole
     * input is 200 MB, so replay-buffer is set above that.
     */
    @Test
    void aSidecarFrozenWhileTheOperatorWaitsInASocketWriteIsDetectedAtTheAnswerTimeout(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Duration answerTimeout = Duration.ofSeconds(2);
        Job job =
                new Job(tmp.resolve("frozen-in-write"))
                        .payloadBytes(200)
                        .checkpointsEvery(Duration.ofMinutes(1))
                        .replayBuffer("512mb")
                        .options(
                                options ->
                                        options.with(
                                                        SidecarOperatorOptions.ANSWER_TIMEOUT,
                                                        answerTimeout)
                                                .with(
                                                        SidecarOperatorOptions
                                                                .MAX_IN_FLIGHT_BATCHES,
                                                        1_000));
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        String[] detection = new String[1];
        String[] writer = new String[1];
        try (CapturedLog log = new CapturedLog(SidecarOperator.class.getName())) {
            job.run(
                    cluster,
                    (client, sidecar) -> {
                        // well into the run, where the input flows at full rate
                        awaitResults(rest, client, 10_000);
                        long pid = sidecar.pid();
                        signal("STOP", pid);
                        long frozen = System.nanoTime();
                        try {
                            // until a task thread that waited in a socket write for a second has
                            // left it, and a session broke, while the sidecar is still frozen (a
                            // deadline, not a measurement); without the write watchdog it would
                            // leave only when the sidecar resumes
                            long deadline = frozen + answerTimeout.plusSeconds(15).toNanos();
                            Stuck stuck = new Stuck(Duration.ofSeconds(1));
                            long released = 0;
                            Optional<CapturedLog.Line> broke = Optional.empty();
                            while (released == 0 || broke.isEmpty()) {
                                Set<String> writing = threadsInASocketWrite();
                                if (writer[0] == null) {
                                    writer[0] = stuck.update(writing);
                                } else if (released == 0 && !writing.contains(writer[0])) {
                                    released = System.nanoTime();
                                }
                                broke = log.first(frozen, line -> line.contains(" broke ("));
                                assertThat(System.nanoTime())
                                        .as(
                                                "within %s of the freeze, a task thread stuck in a"
                                                        + " socket write (%s) released, and a"
                                                        + " session broken; lines: %s",
                                                answerTimeout.plusSeconds(15),
                                                writer[0],
                                                log.lines())
                                        .isLessThan(deadline);
                                Thread.sleep(10); // sampling the threads, bounded by the deadline
                            }
                            detection[0] =
                                    String.format(
                                            "%s waited in a socket write after the freeze and left"
                                                    + " it %d ms after the freeze; a session broke"
                                                    + " %d ms after the freeze (answer-timeout %d"
                                                    + " ms): %s",
                                            writer[0],
                                            TimeUnit.NANOSECONDS.toMillis(released - frozen),
                                            TimeUnit.NANOSECONDS.toMillis(
                                                    broke.get().nanos() - frozen),
                                            answerTimeout.toMillis(),
                                            broke.get().text());
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
     * The threads of this JVM (where the MiniCluster's tasks run) inside a write to the sidecar's
     * socket right now: in the client's output stream, in the JDK's socket code.
     */
    private static Set<String> threadsInASocketWrite() {
        Set<String> writing = new HashSet<>();
        for (Map.Entry<Thread, StackTraceElement[]> thread :
                Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] stack = thread.getValue();
            if (stack.length > 0
                    && stack[0].getClassName().startsWith("sun.nio.ch.")
                    && Arrays.stream(stack).anyMatch(RecoveryITCase::isClientWrite)) {
                writing.add(thread.getKey().getName());
            }
        }
        return writing;
    }

    /** Which of the threads seen in one place has stayed there for at least a given time. */
    private static final class Stuck {
        private final long forNanos;
        private final Map<String, Long> since = new HashMap<>();

        Stuck(Duration time) {
            this.forNanos = time.toNanos();
        }

        /**
         * Takes the threads seen there now; returns one that has been there since at least the
         * given time ago, at every update, or null.
         */
        String update(Set<String> there) {
            long now = System.nanoTime();
            since.keySet().retainAll(there);
            for (String thread : there) {
                since.putIfAbsent(thread, now);
                if (now - since.get(thread) >= forNanos) {
                    return thread;
                }
            }
            return null;
        }
    }

    private static boolean isClientWrite(StackTraceElement frame) {
        return frame.getClassName().equals("dev.flinksidecar.operator.client.ChannelStreams$Output")
                && frame.getMethodName().equals("write");
    }

    /**
     * Waits until a subtask of the operator has emitted at least {@code results} results (read from
     * the job's metrics).
     */
    private static void awaitResults(FlinkRest rest, JobClient client, long results)
            throws Exception {
        String operator = SidecarStreams.OPERATOR_NAME;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (rest.max(client.getJobID(), operator, operator, "sidecarResults").orElse(0)
                < results) {
            assertThat(System.nanoTime())
                    .as("results flowing within a minute")
                    .isLessThan(deadline);
            Thread.sleep(100); // polling the job's metrics, bounded by the deadline
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
        Duration checkpointInterval = Duration.ofMillis(300);
        Duration checkpointMinPause;
        int payloadBytes;
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

        /**
         * Checkpoints every {@code interval}, the first one a whole interval after the start: the
         * minimum pause between checkpoints is set to the interval, as Flink picks a random first
         * delay between the two.
         */
        Job checkpointsEvery(Duration interval) {
            checkpointInterval = interval;
            checkpointMinPause = interval;
            return this;
        }

        /** Events with a payload of {@code bytes} (no rule reads it; the results stay the same). */
        Job payloadBytes(int bytes) {
            payloadBytes = bytes;
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
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
            if (checkpointMinPause != null) {
                conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, checkpointMinPause);
            }
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
                            payloadBytes > 0
                                    ? new WithPayload(payloadBytes)
                                    : RecoveryITCase::event,
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
        return eventBuilder(n).build();
    }

    private static EventRecord.Builder eventBuilder(long n) {
        return EventRecord.builder("k" + (n * 7919) % KEYS, BASE + n * STEP_MS)
                .type("payment")
                .set("amount", n % 1000);
    }

    /**
     * Event {@code n} as {@link #event}, with a payload of zeros that no rule reads: the results
     * are the same, the batches larger.
     */
    private static final class WithPayload implements GeneratorFunction<Long, EventRecord> {
        private static final long serialVersionUID = 1L;
        private final int bytes;

        WithPayload(int bytes) {
            this.bytes = bytes;
        }

        @Override
        public EventRecord map(Long n) {
            return eventBuilder(n).payload(new byte[bytes]).build();
        }
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
