package dev.flinksidecar.bench;

import static dev.flinksidecar.bench.RecoveryBenchmark.median;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.window.NativeWindowedAggregate;
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
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The checkpoint figure: checkpoint duration with the window state in the sidecar against Flink's
 * own keyed-state window operator, on the same steady stream. Both jobs run in one MiniCluster in
 * this JVM, hashmap state backend, filesystem checkpoint storage, a checkpoint every second; a
 * rate-limited source (parallelism 1) of payment events over {@code --keys} keys, event time
 * running {@code --speedup} times as fast as the wall clock (so the one-minute windows close every
 * 60/speedup s), then {@code keyBy} and either
 *
 * <ul>
 *   <li><b>sidecar</b>: the sidecar operator with the {@code windowed-aggregate} rule (tumbling 60
 *       s, sum of amounts) in a real sidecar process; its window state reaches Flink keyed state as
 *       the sidecar's StateDelta at each barrier, or
 *   <li><b>Flink</b>: {@code window(TumblingEventTimeWindows).aggregate(...)} with the same
 *       aggregate ({@link NativeWindowedAggregate}),
 * </ul>
 *
 * then a discarding sink chained to it. Each variant runs {@code --seconds} per run, runs alternate
 * which goes first, checkpoints triggered in the first {@code --warmup-s} are left out. The figures
 * come from Flink's own checkpoint statistics (the archived execution graph, what the REST API's
 * {@code /jobs/:id/checkpoints} shows): end-to-end duration and full state size per checkpoint, and
 * for the keyed task (slowest subtask) its synchronous and asynchronous parts and what remains of
 * its end-to-end time after start delay, alignment, sync and async: for the sidecar operator that
 * is mainly {@code prepareSnapshotPreBarrier} (drain in-flight batches, barrier round trip,
 * StateDelta into keyed state), which Flink does not count as "sync".
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.CheckpointComparison [--runs 3] [--seconds 40] [--warmup-s 10] [--rate 20000] \
 *     [--keys 10000] [--speedup 4] [--parallelism 2] [--sidecar-jar sidecar/target/sidecar.jar]
 * </pre>
 */
public final class CheckpointComparison {

    private static final long BASE = 1_767_225_600_000L;
    static final String CONFIG =
            "{\"id\": \"windowed-aggregate\", \"window\": {\"type\": \"tumbling\", \"size\": \"60s\"},"
                    + " \"allowed_lateness\": \"0s\", \"aggregate\": \"sum\", \"field\": \"amount\", \"event_type\": \"payment\"}";

    private final int parallelism;
    private final int keys;
    private final double rate;
    private final double speedup;
    private final Path checkpoints;

    private CheckpointComparison(
            int parallelism, int keys, double rate, double speedup, Path checkpoints) {
        this.parallelism = parallelism;
        this.keys = keys;
        this.rate = rate;
        this.speedup = speedup;
        this.checkpoints = checkpoints;
    }

    /** One completed checkpoint: ms and bytes. */
    private record Checkpoint(
            double endToEnd,
            double sync,
            double async,
            double unaccounted,
            double keyedStateBytes,
            double stateBytes) {}

    /** Medians of one variant's run. */
    private record Run(
            int count,
            int failed,
            double endToEnd,
            double sync,
            double async,
            double unaccounted,
            double keyedStateBytes,
            double stateBytes) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        long seconds = Long.parseLong(flags.getOrDefault("--seconds", "40"));
        long warmupS = Long.parseLong(flags.getOrDefault("--warmup-s", "10"));
        double rate = Double.parseDouble(flags.getOrDefault("--rate", "20000"));
        int keys = Integer.parseInt(flags.getOrDefault("--keys", "10000"));
        double speedup = Double.parseDouble(flags.getOrDefault("--speedup", "4"));
        int parallelism = Integer.parseInt(flags.getOrDefault("--parallelism", "2"));

        Path dir = Files.createTempDirectory("sidecar-checkpoint-bench");
        try {
            Path rules = Files.createDirectories(dir.resolve("rules"));
            Files.copy(
                    Path.of("examples/target/rules/windowed-aggregate.jar"),
                    rules.resolve("windowed-aggregate.jar"));
            Files.writeString(rules.resolve("windowed-aggregate.json"), CONFIG);
            // a private copy: a rebuild of the sidecar module during the run cannot swap classes
            // under it
            Path jar =
                    Files.copy(
                            Path.of(
                                    flags.getOrDefault(
                                            "--sidecar-jar", "sidecar/target/sidecar.jar")),
                            dir.resolve("sidecar.jar"));
            CheckpointComparison bench =
                    new CheckpointComparison(
                            parallelism, keys, rate, speedup, dir.resolve("checkpoints"));
            System.out.printf(
                    "rate %,.0f events/s, keys %,d, parallelism %d, event time x%.0f (a 60 s window closes every"
                            + " %.0f s), checkpoint every 1 s, hashmap backend, %d s per variant and run (first %d s left"
                            + " out), rule %s%n",
                    rate, keys, parallelism, speedup, 60 / speedup, seconds, warmupS, CONFIG);
            Path socket = dir.resolve("s.sock");
            List<Run> flink = new ArrayList<>();
            List<Run> sidecar = new ArrayList<>();
            try (LocalSidecarProcess process =
                            LocalSidecarProcess.start(
                                    LocalSidecarProcess.fromJar(jar),
                                    socket,
                                    rules,
                                    dir.resolve("sidecar.log"),
                                    Duration.ofMinutes(1));
                    BenchCluster cluster = BenchCluster.start(parallelism + 1)) {
                for (int r = 1; r <= runs; r++) {
                    boolean flinkFirst = r % 2 == 1;
                    for (int v = 0; v < 2; v++) {
                        boolean native_ = (v == 0) == flinkFirst;
                        Run run = bench.run(cluster, native_ ? null : socket, seconds, warmupS);
                        (native_ ? flink : sidecar).add(run);
                        print(
                                "run "
                                        + r
                                        + " "
                                        + (native_
                                                ? "Flink window operator"
                                                : "sidecar operator     "),
                                run);
                    }
                }
            }
            Run f = medians(flink);
            Run s = medians(sidecar);
            print("median Flink window operator", f);
            print("median sidecar operator     ", s);
            System.out.printf(
                    "ratio sidecar / Flink: end-to-end %.2f, keyed state size %.2f%n",
                    s.endToEnd / f.endToEnd, s.keyedStateBytes / f.keyedStateBytes);
        } finally {
            RecoveryBenchmark.deleteTree(dir);
        }
    }

    private Run run(BenchCluster cluster, Path socket, long seconds, long warmupS)
            throws Exception {
        long submitted = System.currentTimeMillis();
        JobID job = cluster.submit(environment(socket));
        try {
            Thread.sleep(seconds * 1000); // the run's length
        } finally {
            cluster.cancel(job);
        }
        if (cluster.restarts(job) > 0) {
            throw new IllegalStateException(
                    "the " + (socket == null ? "Flink" : "sidecar") + " job restarted");
        }
        AccessExecutionGraph graph = cluster.info(job).getArchivedExecutionGraph();
        JobVertexID keyed = null;
        for (AccessExecutionJobVertex vertex : graph.getVerticesTopologically()) {
            keyed = vertex.getJobVertexId(); // the last one: the keyed operator with its chained
            // sink
        }
        CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
        List<Checkpoint> completed = new ArrayList<>();
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint.getStatus() != CheckpointStatsStatus.COMPLETED
                    || checkpoint.getTriggerTimestamp() < submitted + warmupS * 1000) {
                continue;
            }
            TaskStateStats task = checkpoint.getTaskStateStats(keyed);
            long sync = 0;
            long async = 0;
            long unaccounted = 0;
            for (SubtaskStateStats subtask : task.getSubtaskStats()) {
                if (subtask == null) {
                    continue;
                }
                sync = Math.max(sync, subtask.getSyncCheckpointDuration());
                async = Math.max(async, subtask.getAsyncCheckpointDuration());
                unaccounted =
                        Math.max(
                                unaccounted,
                                subtask.getEndToEndDuration(checkpoint.getTriggerTimestamp())
                                        - subtask.getCheckpointStartDelay()
                                        - Math.max(0, subtask.getAlignmentDuration())
                                        - subtask.getSyncCheckpointDuration()
                                        - subtask.getAsyncCheckpointDuration());
            }
            completed.add(
                    new Checkpoint(
                            checkpoint.getEndToEndDuration(),
                            sync,
                            async,
                            unaccounted,
                            task.getStateSize(),
                            checkpoint.getStateSize()));
        }
        int failed = (int) stats.getCounts().getNumberOfFailedCheckpoints();
        return new Run(
                completed.size(),
                failed,
                med(completed, Checkpoint::endToEnd),
                med(completed, Checkpoint::sync),
                med(completed, Checkpoint::async),
                med(completed, Checkpoint::unaccounted),
                med(completed, Checkpoint::keyedStateBytes),
                med(completed, Checkpoint::stateBytes));
    }

    private StreamExecutionEnvironment environment(Path socket) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        int keyCount = keys;
        double msPerEvent = 1000 * speedup / rate;
        DataGeneratorSource<EventRecord> source =
                new DataGeneratorSource<>(
                        n -> event(n, keyCount, msPerEvent),
                        Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(rate),
                        RecordTypes.EVENT);
        WatermarkStrategy<EventRecord> watermarks =
                WatermarkStrategy.<EventRecord>forMonotonousTimestamps()
                        .withTimestampAssigner((event, previous) -> event.time());
        DataStream<EventRecord> events =
                env.fromSource(source, watermarks, "steady payments").setParallelism(1);
        DataStream<String> results =
                socket == null
                        ? NativeWindowedAggregate.apply(events, CONFIG, "1.0.0").results()
                        : SidecarStreams.process(
                                        events.keyBy(EventRecord::key, Types.STRING),
                                        SidecarOperatorOptions.defaults()
                                                .with(
                                                        SidecarOperatorOptions.SOCKET_PATH,
                                                        socket.toString()))
                                .map(ResultRecord::json)
                                .returns(Types.STRING);
        results.sinkTo(new DiscardingSink<>());
        return env;
    }

    /**
     * Event {@code n}: keys in turn (7919 is prime to any key count without 7919 in it), amounts 0
     * to 999.
     */
    private static EventRecord event(long n, int keys, double msPerEvent) {
        return EventRecord.builder("card-" + (n * 7919) % keys, BASE + (long) (n * msPerEvent))
                .type("payment")
                .set("amount", n % 1000)
                .build();
    }

    private static double med(List<Checkpoint> checkpoints, ToDoubleFunction<Checkpoint> field) {
        return median(checkpoints.stream().map(c -> field.applyAsDouble(c)).toList());
    }

    private static Run medians(List<Run> runs) {
        return new Run(
                (int) median(runs.stream().map(r -> (double) r.count).toList()),
                (int) median(runs.stream().map(r -> (double) r.failed).toList()),
                median(runs.stream().map(Run::endToEnd).toList()),
                median(runs.stream().map(Run::sync).toList()),
                median(runs.stream().map(Run::async).toList()),
                median(runs.stream().map(Run::unaccounted).toList()),
                median(runs.stream().map(Run::keyedStateBytes).toList()),
                median(runs.stream().map(Run::stateBytes).toList()));
    }

    private static void print(String what, Run run) {
        System.out.printf(
                "%s: %d checkpoints (%d not completed, the cancel at the end aborts one), end-to-end %.0f ms; keyed task (slowest subtask): sync %.0f ms,"
                        + " async %.0f ms, before the snapshot %.0f ms; keyed state %.0f KiB, whole checkpoint %.0f KiB%n",
                what,
                run.count,
                run.failed,
                run.endToEnd,
                run.sync,
                run.async,
                run.unaccounted,
                run.keyedStateBytes / 1024,
                run.stateBytes / 1024);
    }
}
