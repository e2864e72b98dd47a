package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The throughput benchmark: the same job on the same synthetic input with a cheap threshold rule,
 * once with the rule called in process by a plain KeyedProcessFunction, once through a real sidecar
 * process over a Unix socket. Runs alternate in one JVM after a warm-up of both; the medians, their
 * ratio, and the latency at half of the sidecar path's measured rate are printed. Beside events/s,
 * each run's CPU per event: this JVM's process CPU time (the MiniCluster: source, keyBy, the rule
 * or the sidecar operator, sink) plus the sidecar process's, over the stretch the rate is measured
 * on, divided by the events of that stretch ({@link CpuClock}); the in-process runs count the idle
 * sidecar too, so both sides are measured alike.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.JobComparison [--events 20000000] [--runs 3] [--parallelism 1] [--keys 10000]
 *     [--latency-rate N] [--latency-seconds 15] [--sidecar-flags launcher]
 *     [--sidecar-jar sidecar/target/sidecar.jar]
 * </pre>
 *
 * <p>{@code --parallelism 1,2} measures each parallelism in turn in the one run, against one
 * sidecar, each line then starting with its parallelism. {@code --latency-rate N} skips the
 * throughput runs and measures the latency at N events/s, after 2,000,000 events to warm both JVMs;
 * {@code --latency-seconds 0} skips the latency run after the throughput runs. {@code
 * --sidecar-flags}: {@code launcher} (default) starts the sidecar with the JVM flags its launcher
 * and local mode use (the sidecar jar's {@code jvm-flags}), {@code none} with the JDK's defaults,
 * anything else is taken as the flags themselves. The sidecar logs its collections to {@code
 * sidecar-gc.log} in the benchmark's folder; after the latency line come the collections of both
 * JVMs during the latency run (this one runs Flink's task managers) and the latency split in its
 * three parts (see the operator's {@code LatencyTracker}). {@code -Dbench.batch-max-events=N} sets
 * the operator's {@code batch.max-events} (its default unless given) for the sidecar runs.
 *
 * <p>Run from the repository root after {@code mvn -DskipTests package}.
 */
public final class JobComparison {

    /** Amounts are uniform in [0, 1500): about 6.7% of events give a result. */
    static final double LIMIT = 1400;

    /** The parts of the latency, each a job-result accumulator of the operator's. */
    private static final List<String> LATENCY_PARTS =
            List.of(
                    SidecarStreams.LATENCY_ACCUMULATOR + "-in-batch",
                    SidecarStreams.LATENCY_ACCUMULATOR + "-round-trip",
                    SidecarStreams.LATENCY_ACCUMULATOR + "-to-output");

    private final long events;
    private final int parallelism;
    private final int keys;
    private final int latencySeconds;
    private final Path sidecarGcLog;

    /** Printed before each summary line: empty, or the parallelism when several are measured. */
    private final String label;

    private JobComparison(
            long events,
            int parallelism,
            int keys,
            int latencySeconds,
            Path sidecarGcLog,
            String label) {
        this.events = events;
        this.parallelism = parallelism;
        this.keys = keys;
        this.latencySeconds = latencySeconds;
        this.sidecarGcLog = sidecarGcLog;
        this.label = label;
    }

    /** One run's figures: events/s at the source, CPU nanoseconds per event of both processes. */
    private record Run(double rate, double cpuPerEvent, double sidecarCpuPerEvent) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        long events = Long.parseLong(flags.getOrDefault("--events", "20000000"));
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        String[] parallelisms = flags.getOrDefault("--parallelism", "1").split(",");
        int keys = Integer.parseInt(flags.getOrDefault("--keys", "10000"));
        long latencyRate = Long.parseLong(flags.getOrDefault("--latency-rate", "0"));
        int latencySeconds = Integer.parseInt(flags.getOrDefault("--latency-seconds", "15"));
        String sidecarFlags = flags.getOrDefault("--sidecar-flags", "launcher");

        Path dir = Files.createTempDirectory("sidecar-bench");
        Path jar = Path.of(flags.getOrDefault("--sidecar-jar", "sidecar/target/sidecar.jar"));
        Path gcLog = dir.resolve("sidecar-gc.log");
        List<String> jvmFlags = new ArrayList<>(BenchSidecar.flagsOption(sidecarFlags, jar));
        jvmFlags.add("-Xlog:gc:file=" + gcLog);
        System.out.println("sidecar JVM flags: " + String.join(" ", jvmFlags));
        Path rules = BenchSidecar.thresholdRules(dir, "rules");
        try (BenchSidecar sidecar = BenchSidecar.start(jar, rules, dir, jvmFlags)) {
            CpuClock.sidecar(ProcessHandle.of(sidecar.pid()).orElse(null));
            for (String p : parallelisms) {
                int parallelism = Integer.parseInt(p.trim());
                String label = parallelisms.length > 1 ? "parallelism " + parallelism + " " : "";
                JobComparison bench =
                        new JobComparison(events, parallelism, keys, latencySeconds, gcLog, label);
                if (latencyRate > 0) {
                    bench.throughput(sidecar.socket.toString(), WARM_UP_EVENTS);
                    bench.latency(sidecar.socket.toString(), latencyRate, "as given");
                } else {
                    bench.run(sidecar.socket.toString(), runs);
                }
            }
        }
    }

    /** Events through the sidecar path before a latency run of its own, so both JVMs are warm. */
    private static final long WARM_UP_EVENTS = 2_000_000;

    private BenchSidecar sidecar;

    /**
     * The sidecar path alone, for another benchmark to compare with ({@link FileJobComparison}):
     * the defaults' keys, {@link #startSidecar} (with the launcher's JVM flags) before {@link
     * #sidecarRate}.
     */
    static JobComparison sidecarOnly(int parallelism) {
        return new JobComparison(0, parallelism, 10_000, 15, null, "");
    }

    /** Starts the sidecar of {@link #sidecarRate}: the threshold rule, in {@code dir}. */
    void startSidecar(Path dir) throws Exception {
        Path rules = BenchSidecar.thresholdRules(dir, "threshold-rules");
        Path jar = Path.of("sidecar/target/sidecar.jar");
        sidecar = BenchSidecar.start(jar, rules, dir, BenchSidecar.launcherFlags(jar));
    }

    /** Events/s of one run of {@code count} events through the sidecar path. */
    double sidecarRate(long count) throws Exception {
        return throughput(sidecar.socket.toString(), count).rate();
    }

    void stopSidecar() throws InterruptedException {
        sidecar.close();
    }

    private void run(String socket, int runs) throws Exception {
        System.out.printf(
                "events per run %,d, keys %,d, parallelism %d, threshold limit %.0f%n",
                events, keys, parallelism, LIMIT);
        throughput(null, events / 4);
        throughput(socket, events / 4);
        List<Run> inProcess = new ArrayList<>();
        List<Run> sidecar = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            inProcess.add(throughput(null, events));
            sidecar.add(throughput(socket, events));
            System.out.printf(
                    "%srun %d: in-process %,.0f events/s %,.0f ns CPU/event, "
                            + "sidecar %,.0f events/s %,.0f ns CPU/event (sidecar process %,.0f)%n",
                    label,
                    r + 1,
                    inProcess.get(r).rate(),
                    inProcess.get(r).cpuPerEvent(),
                    sidecar.get(r).rate(),
                    sidecar.get(r).cpuPerEvent(),
                    sidecar.get(r).sidecarCpuPerEvent());
        }
        double a = median(inProcess, Run::rate);
        double b = median(sidecar, Run::rate);
        System.out.printf(
                "%smedian: in-process %,.0f events/s, sidecar %,.0f events/s, ratio %.2f%n",
                label, a, b, b / a);
        double cpuA = median(inProcess, Run::cpuPerEvent);
        double cpuB = median(sidecar, Run::cpuPerEvent);
        System.out.printf(
                "%smedian CPU per event (both processes): in-process %,.0f ns, sidecar %,.0f ns"
                        + " (sidecar process %,.0f ns), ratio %.2f%n",
                label, cpuA, cpuB, median(sidecar, Run::sidecarCpuPerEvent), cpuA / cpuB);

        if (latencySeconds > 0) {
            latency(socket, (long) (b / 2), "half the sidecar rate");
        }
    }

    /**
     * The latency run and its lines: the latency, the collections of both JVMs meanwhile, the
     * latency's parts.
     */
    private void latency(String socket, long rate, String why) throws Exception {
        long gcFrom = GcPauses.lines(sidecarGcLog);
        GcPauses ownGc = GcPauses.watchThisJvm();
        Map<String, TreeMap<Integer, Integer>> histograms = latency(socket, rate);
        ownGc.stop();
        long gcTo = GcPauses.lines(sidecarGcLog);
        TreeMap<Integer, Integer> histogram = histograms.get(SidecarStreams.LATENCY_ACCUMULATOR);
        System.out.printf(
                "%slatency at %,d events/s (%s), operator entry to result out: %s%n",
                label, rate, why, describe(histogram));
        System.out.printf(
                "%scollections during the latency run: sidecar %s; Flink's JVM %s%n",
                label, GcPauses.inLog(sidecarGcLog, gcFrom, gcTo), ownGc);
        for (String part : LATENCY_PARTS) {
            if (histograms.containsKey(part)) {
                System.out.printf("  part %s: %s%n", part, describe(histograms.get(part)));
            }
        }
    }

    private static String describe(TreeMap<Integer, Integer> histogram) {
        return String.format(
                "p50 %d us, p99 %d us, p99.9 %d us, max %d us (%,d samples)",
                percentile(histogram, 0.50),
                percentile(histogram, 0.99),
                percentile(histogram, 0.999),
                histogram.isEmpty() ? 0 : histogram.lastKey(),
                histogram.values().stream().mapToLong(v -> v).sum());
    }

    /**
     * Events/s of one run, measured at the source between 10% and 100% of its events, and the CPU
     * per event of both processes over the same stretch.
     */
    private Run throughput(String socket, long count) throws Exception {
        StreamExecutionEnvironment env = environment();
        Probe.reset();
        DataStream<EventRecord> source =
                source(env, count, RateLimiterStrategy.noOp())
                        .map(new Probe(count / parallelism / 10))
                        .returns(RecordTypes.EVENT);
        attach(source, socket);
        env.execute(socket == null ? "in-process" : "sidecar");
        double counted = Math.max(1, Probe.counted());
        return new Run(
                Probe.rate(),
                (CpuClock.jvmNanos() + CpuClock.sidecarNanos()) / counted,
                CpuClock.sidecarNanos() / counted);
    }

    /** The latency histograms (microseconds to counts) of a run at {@code rate}, by name. */
    private Map<String, TreeMap<Integer, Integer>> latency(String socket, long rate)
            throws Exception {
        StreamExecutionEnvironment env = environment();
        long count = rate * latencySeconds;
        attach(source(env, count, TickRateLimiter.perSecond(rate)), socket);
        JobExecutionResult result = env.execute("sidecar latency");
        Map<String, TreeMap<Integer, Integer>> histograms = new TreeMap<>();
        List<String> names = new ArrayList<>(LATENCY_PARTS);
        names.add(SidecarStreams.LATENCY_ACCUMULATOR);
        for (String name : names) {
            Map<Integer, Integer> histogram = result.getAccumulatorResult(name);
            if (histogram != null) {
                histograms.put(name, new TreeMap<>(histogram));
            }
        }
        return histograms;
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.getConfig().enableObjectReuse();
        return env;
    }

    private DataStream<EventRecord> source(
            StreamExecutionEnvironment env, long count, RateLimiterStrategy<?> limiter) {
        int keyCount = keys;
        DataGeneratorSource<EventRecord> generator =
                new DataGeneratorSource<>(
                        i -> SyntheticPayments.event(i, keyCount),
                        count,
                        limiter,
                        RecordTypes.EVENT);
        return env.fromSource(generator, WatermarkStrategy.noWatermarks(), "synthetic payments");
    }

    private void attach(DataStream<EventRecord> events, String socket) {
        KeyedStream<EventRecord, String> keyed = events.keyBy(EventRecord::key, Types.STRING);
        DataStream<ResultRecord> results =
                socket == null
                        ? keyed.process(new InProcessThreshold(LIMIT), RecordTypes.RESULT)
                        : SidecarStreams.process(
                                keyed,
                                SidecarOperatorOptions.defaults()
                                        .with(SidecarOperatorOptions.SOCKET_PATH, socket)
                                        .with(SidecarOperatorOptions.LATENCY_SAMPLE_INTERVAL, 16)
                                        .with(
                                                SidecarOperatorOptions.BATCH_MAX_EVENTS,
                                                Integer.getInteger(
                                                        "bench.batch-max-events",
                                                        SidecarOperatorOptions.BATCH_MAX_EVENTS
                                                                .defaultValue())));
        results.sinkTo(new DiscardingSink<>());
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        List<Double> sorted = new ArrayList<>();
        for (Run run : runs) {
            sorted.add(figure.applyAsDouble(run));
        }
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static int percentile(TreeMap<Integer, Integer> histogram, double p) {
        long total = histogram.values().stream().mapToLong(v -> v).sum();
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (Map.Entry<Integer, Integer> bucket : histogram.entrySet()) {
            seen += bucket.getValue();
            if (seen >= rank) {
                return bucket.getKey();
            }
        }
        return 0;
    }
}
