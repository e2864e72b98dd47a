package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.local.SupervisedSidecar;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.client.SocketConnector;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The recovery figure: how long results stop when the sidecar is killed ({@code kill -9}) under a
 * running job. One MiniCluster in this JVM runs a steady, rate-limited stream of payment events
 * through the sidecar operator (a per-event threshold rule and a one-minute tumbling window rule,
 * checkpoints every second, hashmap state backend) to a supervised sidecar child, as local mode
 * runs it ({@link SupervisedSidecar}: restarted after its backoff when it dies). Each run kills the
 * child {@code --kills} times, {@code --pause-s} apart, and per kill notes:
 *
 * <pre>
 *   kill ──► new child launched ──► its socket accepts ──► every subtask emits a result of an event made after the kill
 *        (supervisor: notice +     (JVM start, rules      (operator: reconnect, restore the window state
 *         restart backoff)          loaded, bind)           of the last barrier, replay since it, new events)
 * </pre>
 *
 * The last step is seen from results: the generator notes the index of each event it makes, and a
 * map after the operator notes, per subtask, the first threshold result whose event time is later
 * than that of the last event made before the kill. The default pause (31 s) is longer than the 30
 * s a child must serve for the supervisor's backoff to start again at 100 ms, so every kill is an
 * isolated crash; shorter pauses measure a crash loop, where the backoff doubles up to 5 s. The
 * job's restart count (its exception history) must stay 0.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.RecoveryBenchmark [--runs 3] [--kills 10] [--pause-s 31] [--rate 20000] \
 *     [--parallelism 2] [--keys 1000] [--sidecar-jar sidecar/target/sidecar.jar]
 * </pre>
 *
 * Run from the repository root after {@code mvn -DskipTests install}.
 */
public final class RecoveryBenchmark {

    private static final long BASE = 1_767_225_600_000L;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String THRESHOLD =
            "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 900}";
    private static final String WINDOW =
            "{\"id\": \"windowed-aggregate\", \"window\": {\"type\": \"tumbling\","
                    + " \"size\": \"60s\"}, \"allowed_lateness\": \"0s\", \"aggregate\": \"sum\", \"field\": \"amount\","
                    + " \"event_type\": \"payment\"}";
    private static final int MAX_SUBTASKS = 64;

    // The MiniCluster runs in this JVM: the job's functions and the driver share these.
    /** Index of the last event the generator made. */
    private static final AtomicLong GENERATED = new AtomicLong(-1);

    /** Results of events later than this event time count as "after the kill". */
    private static volatile long watchAfter = Long.MAX_VALUE;

    /**
     * Per operator subtask: nanoTime of its first result after {@link #watchAfter}, 0 while none.
     */
    private static final AtomicLongArray FIRST_AFTER = new AtomicLongArray(MAX_SUBTASKS);

    private static final AtomicLong RESULTS = new AtomicLong();

    private final int parallelism;
    private final int keys;
    private final double rate;

    private RecoveryBenchmark(int parallelism, int keys, double rate) {
        this.parallelism = parallelism;
        this.keys = keys;
        this.rate = rate;
    }

    /** One kill's times, in ms from the kill. */
    private record Kill(
            double launched, double accepting, double firstSubtask, double allSubtasks) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        int kills = Integer.parseInt(flags.getOrDefault("--kills", "10"));
        long pauseMs = (long) (Double.parseDouble(flags.getOrDefault("--pause-s", "31")) * 1000);
        double rate = Double.parseDouble(flags.getOrDefault("--rate", "20000"));
        int parallelism = Integer.parseInt(flags.getOrDefault("--parallelism", "2"));
        int keys = Integer.parseInt(flags.getOrDefault("--keys", "1000"));
        RecoveryBenchmark bench = new RecoveryBenchmark(parallelism, keys, rate);

        Path dir = Files.createTempDirectory("sidecar-recovery-bench");
        try {
            Path rules = Files.createDirectories(dir.resolve("rules"));
            Files.copy(
                    Path.of("examples/target/rules/threshold.jar"), rules.resolve("threshold.jar"));
            Files.writeString(rules.resolve("threshold.json"), THRESHOLD);
            Files.copy(
                    Path.of("examples/target/rules/windowed-aggregate.jar"),
                    rules.resolve("windowed-aggregate.jar"));
            Files.writeString(rules.resolve("windowed-aggregate.json"), WINDOW);
            // a private copy: a rebuild of the sidecar module during the run cannot swap classes
            // under it
            Path jar =
                    Files.copy(
                            Path.of(
                                    flags.getOrDefault(
                                            "--sidecar-jar", "sidecar/target/sidecar.jar")),
                            dir.resolve("sidecar.jar"));
            System.out.printf(
                    "rate %,.0f events/s, keys %,d, parallelism %d, checkpoints every 1 s, %d kills per run,"
                            + " %d ms apart, rules %s and %s%n",
                    rate, keys, parallelism, kills, pauseMs, THRESHOLD, WINDOW);
            List<Kill> all = new ArrayList<>();
            List<Double> runMedians = new ArrayList<>();
            try (BenchCluster cluster = BenchCluster.start(parallelism + 1)) {
                for (int r = 1; r <= runs; r++) {
                    List<Kill> run =
                            bench.run(
                                    cluster,
                                    jar,
                                    rules,
                                    dir.resolve("run-" + r),
                                    kills,
                                    pauseMs,
                                    r);
                    all.addAll(run);
                    runMedians.add(median(run.stream().map(Kill::allSubtasks).toList()));
                }
            }
            System.out.printf(
                    "all %d kills: %s; median of the run medians, kill to all subtasks flowing: %.0f ms%n",
                    all.size(), summary(all), median(runMedians));
        } finally {
            deleteTree(dir);
        }
    }

    private List<Kill> run(
            BenchCluster cluster,
            Path jar,
            Path rules,
            Path dir,
            int kills,
            long pauseMs,
            int number)
            throws Exception {
        Files.createDirectories(dir);
        Path socket = dir.resolve("s.sock");
        List<Kill> measured = new ArrayList<>();
        try (SupervisedSidecar sidecar =
                SupervisedSidecar.start(
                        LocalSidecarProcess.fromJar(jar),
                        socket,
                        rules,
                        dir.resolve("sidecar.log"),
                        Duration.ofMinutes(1))) {
            JobID job = cluster.submit(environment(socket, dir));
            try {
                awaitResults(
                        cluster,
                        job,
                        Duration.ofSeconds(10)); // warm-up: running, first checkpoints taken
                for (int k = 1; k <= kills; k++) {
                    Kill kill = kill(sidecar, socket);
                    measured.add(kill);
                    System.out.printf(
                            "run %d kill %d: child launched %.0f ms, socket accepting %.0f ms, results of"
                                    + " new events from the first subtask %.0f ms, from all %d subtasks %.0f ms%n",
                            number,
                            k,
                            kill.launched,
                            kill.accepting,
                            kill.firstSubtask,
                            parallelism,
                            kill.allSubtasks);
                    if (cluster.status(job) != JobStatus.RUNNING) {
                        throw new IllegalStateException(
                                "the job is " + cluster.status(job) + " after kill " + k);
                    }
                    if (k < kills) {
                        Thread.sleep(pauseMs); // the schedule of the kills
                    }
                }
                int restarts = cluster.restarts(job);
                System.out.printf(
                        "run %d: %s; sidecar restarts %d, job restarts %d, %,d results%n",
                        number, summary(measured), sidecar.restarts(), restarts, RESULTS.get());
            } finally {
                cluster.cancel(job);
            }
        }
        return measured;
    }

    /**
     * Kills the current child and times its way back, as seen by the supervisor, the socket and the
     * results.
     */
    private Kill kill(SupervisedSidecar sidecar, Path socket) throws Exception {
        for (int i = 0; i < MAX_SUBTASKS; i++) {
            FIRST_AFTER.set(i, 0);
        }
        long pid = sidecar.pid();
        long killed = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        watchAfter =
                eventTime(GENERATED.get()); // read after the kill: later events were made after it
        long deadline = killed + WAIT.toNanos();
        while (sidecar.pid() == pid) {
            check(deadline, "no new sidecar child was launched");
            Thread.sleep(1);
        }
        long launched = System.nanoTime();
        while (!SocketConnector.accepts(socket)) {
            check(deadline, "the new sidecar child did not accept connections");
            Thread.sleep(2);
        }
        long accepting = System.nanoTime();
        long first = 0;
        long all = 0;
        while (all == 0) {
            check(deadline, "results did not flow again from every subtask");
            Thread.sleep(1);
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < parallelism; i++) {
                long t = FIRST_AFTER.get(i);
                min = Math.min(min, t == 0 ? Long.MAX_VALUE : t);
                max = t == 0 || max == -1 ? -1 : Math.max(max, t);
            }
            first = min == Long.MAX_VALUE ? 0 : min;
            all = max == -1 ? 0 : max;
        }
        watchAfter = Long.MAX_VALUE;
        return new Kill(
                ms(launched - killed),
                ms(accepting - killed),
                ms(first - killed),
                ms(all - killed));
    }

    private void awaitResults(BenchCluster cluster, JobID job, Duration warmUp) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (RESULTS.get() == 0 || cluster.status(job) != JobStatus.RUNNING) {
            check(deadline, "the job gave no results");
            Thread.sleep(10);
        }
        Thread.sleep(warmUp.toMillis());
    }

    private StreamExecutionEnvironment environment(Path socket, Path dir) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        // restarts are allowed so that one would be counted, not end the run; there must be none
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        int keyCount = keys;
        double eventsPerSecond = rate;
        GENERATED.set(-1);
        RESULTS.set(0);
        DataGeneratorSource<EventRecord> source =
                new DataGeneratorSource<>(
                        n -> {
                            GENERATED.set(n);
                            return event(n, keyCount, eventsPerSecond);
                        },
                        Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(rate),
                        RecordTypes.EVENT);
        WatermarkStrategy<EventRecord> watermarks =
                WatermarkStrategy.<EventRecord>forMonotonousTimestamps()
                        .withTimestampAssigner((event, previous) -> event.time());
        SidecarStreams.process(
                        env.fromSource(source, watermarks, "steady payments")
                                .setParallelism(1)
                                .keyBy(EventRecord::key, Types.STRING),
                        SidecarOperatorOptions.defaults()
                                .with(SidecarOperatorOptions.SOCKET_PATH, socket.toString()))
                .map(new Arrivals())
                .returns(RecordTypes.RESULT)
                .sinkTo(new DiscardingSink<>());
        return env;
    }

    /**
     * Event {@code n}: event time runs at wall-clock speed at the configured rate; amounts 0 to 999
     * (10% above 900).
     */
    private static EventRecord event(long n, int keys, double rate) {
        return EventRecord.builder("k" + (n * 7919) % keys, BASE + (long) (n * 1000 / rate))
                .type("payment")
                .set("amount", n % 1000)
                .build();
    }

    private long eventTime(long n) {
        return BASE + (long) (n * 1000 / rate);
    }

    /**
     * Chained to the operator: notes its subtask's first threshold result of an event made after a
     * kill.
     */
    private static final class Arrivals extends RichMapFunction<ResultRecord, ResultRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public ResultRecord map(ResultRecord result) {
            RESULTS.incrementAndGet();
            if (result.time() > watchAfter && "threshold".equals(result.rule())) {
                FIRST_AFTER.compareAndSet(
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        0,
                        System.nanoTime());
            }
            return result;
        }
    }

    private static String summary(List<Kill> kills) {
        return String.format(
                "kill to child launched median %.0f ms; to socket accepting median %.0f ms; to results"
                        + " from all subtasks median %.0f ms, max %.0f ms (first subtask median %.0f ms);"
                        + " operator part (accepting to all subtasks) median %.0f ms",
                median(kills.stream().map(Kill::launched).toList()),
                median(kills.stream().map(Kill::accepting).toList()),
                median(kills.stream().map(Kill::allSubtasks).toList()),
                kills.stream().mapToDouble(Kill::allSubtasks).max().orElse(0),
                median(kills.stream().map(Kill::firstSubtask).toList()),
                median(kills.stream().map(k -> k.allSubtasks - k.accepting).toList()));
    }

    private static void check(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(what + " within " + WAIT.toSeconds() + " s");
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n == 0
                ? Double.NaN
                : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
