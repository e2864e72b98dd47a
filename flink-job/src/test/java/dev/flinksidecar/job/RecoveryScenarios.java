package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.SupervisedSidecar;
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
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.scheduler.ExecutionGraphInfo;
import org.apache.flink.runtime.scheduler.exceptionhistory.RootExceptionHistoryEntry;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the recovery scenarios share: the same 1,000,000 generated events (1,000 keys, in time
 * order, a watermark after every event) through a per-event rule and a one-minute tumbling window
 * rule, with checkpoints every 300 ms (unless a scenario says otherwise), the sidecar operator at
 * parallelism 2 (unless rescaled), a real sidecar process supervised as local mode does (restarted
 * when it dies), and exactly-once file sinks. Each scenario's committed output must equal that of a
 * run without failures, version tags included ({@link #reference}).
 *
 * <p>The scenarios are in two classes, {@link CrashRecoveryITCase} and {@link SidecarFreezeITCase},
 * so that the build's two test JVMs run them side by side: they mostly wait on rate-limited sources
 * and on the sidecar, not on the CPU.
 */
abstract class RecoveryScenarios {

    static final int EVENTS = 1_000_000;
    static final int KEYS = 1_000;
    static final long BASE = 1_767_225_600_000L;
    static final long STEP_MS = 5;
    static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .setConfiguration(fastMetrics())
                            .build());

    /** Metrics reach the REST API within 200 ms (the default is every 10 s). */
    static Configuration fastMetrics() {
        Configuration conf = new Configuration();
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return conf;
    }

    static List<String> reference;

    @TempDir Path tmp;

    /** The committed results of the same input without failures (computed once, at full speed). */
    synchronized List<String> reference(MiniCluster cluster) throws Exception {
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
    interface During {
        int run(JobClient client, SupervisedSidecar sidecar) throws Exception;
    }

    /**
     * One run of the job, with its sidecar, in its own folder (a restored run shares its output
     * folder).
     */
    static final class Job {
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
                                    : RecoveryScenarios::event,
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
            return env.executeAsync("recovery " + dir.getFileName());
        }
    }

    /** Event {@code n}: one of 1,000 keys, every 5 ms, an amount from 0 to 999. */
    static EventRecord event(long n) {
        return eventBuilder(n).build();
    }

    static EventRecord.Builder eventBuilder(long n) {
        return EventRecord.builder("k" + (n * 7919) % KEYS, BASE + n * STEP_MS)
                .type("payment")
                .set("amount", n % 1000);
    }

    /**
     * Event {@code n} as {@link #event}, with a payload of zeros that no rule reads: the results
     * are the same, the batches larger.
     */
    static final class WithPayload implements GeneratorFunction<Long, EventRecord> {
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

    static void signal(String signal, long pid) throws Exception {
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
    static final class FailEvery extends RichMapFunction<EventRecord, EventRecord> {
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
