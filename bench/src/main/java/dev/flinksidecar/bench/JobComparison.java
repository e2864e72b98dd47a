package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * ratio, and the latency at half of the sidecar path's measured rate are printed.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.JobComparison [--events 20000000] [--runs 3] [--parallelism 1] [--keys 10000]
 * </pre>
 *
 * Run from the repository root after {@code mvn -DskipTests package}.
 */
public final class JobComparison {

    /** Amounts are uniform in [0, 1500): about 6.7% of events give a result. */
    static final double LIMIT = 1400;

    private final long events;
    private final int parallelism;
    private final int keys;

    private JobComparison(long events, int parallelism, int keys) {
        this.events = events;
        this.parallelism = parallelism;
        this.keys = keys;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        long events = Long.parseLong(flags.getOrDefault("--events", "20000000"));
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        int parallelism = Integer.parseInt(flags.getOrDefault("--parallelism", "1"));
        int keys = Integer.parseInt(flags.getOrDefault("--keys", "10000"));
        JobComparison bench = new JobComparison(events, parallelism, keys);

        Path dir = Files.createTempDirectory("sidecar-bench");
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.copy(
                Path.of("examples/target/rules/threshold.jar"),
                rules.resolve("threshold.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(
                rules.resolve("threshold.json"),
                "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": " + (long) LIMIT + "}");
        try (BenchSidecar sidecar =
                BenchSidecar.start(Path.of("sidecar/target/sidecar.jar"), rules, dir, List.of())) {
            bench.run(sidecar.socket.toString(), runs);
        }
    }

    private BenchSidecar sidecar;

    /**
     * The sidecar path alone, for another benchmark to compare with ({@link FileJobComparison}):
     * the defaults' events and keys, {@link #startSidecar} before {@link #sidecarRate}.
     */
    static JobComparison sidecarOnly(int parallelism) {
        return new JobComparison(0, parallelism, 10_000);
    }

    /** Starts the sidecar of {@link #sidecarRate}: the threshold rule, in {@code dir}. */
    void startSidecar(Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("threshold-rules"));
        Files.copy(
                Path.of("examples/target/rules/threshold.jar"),
                rules.resolve("threshold.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(
                rules.resolve("threshold.json"),
                "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": " + (long) LIMIT + "}");
        sidecar = BenchSidecar.start(Path.of("sidecar/target/sidecar.jar"), rules, dir, List.of());
    }

    /** Events/s of one run of {@code count} events through the sidecar path. */
    double sidecarRate(long count) throws Exception {
        return throughput(sidecar.socket.toString(), count);
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
        List<Double> inProcess = new ArrayList<>();
        List<Double> sidecar = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            inProcess.add(throughput(null, events));
            sidecar.add(throughput(socket, events));
            System.out.printf(
                    "run %d: in-process %,.0f events/s, sidecar %,.0f events/s%n",
                    r + 1, inProcess.get(r), sidecar.get(r));
        }
        double a = median(inProcess);
        double b = median(sidecar);
        System.out.printf(
                "median: in-process %,.0f events/s, sidecar %,.0f events/s, ratio %.2f%n",
                a, b, b / a);

        long rate = (long) (b / 2);
        TreeMap<Integer, Integer> histogram = latency(socket, rate);
        System.out.printf(
                "latency at %,d events/s (half the sidecar rate), operator entry to result out: "
                        + "p50 %d us, p99 %d us, p99.9 %d us, max %d us (%,d samples)%n",
                rate,
                percentile(histogram, 0.50),
                percentile(histogram, 0.99),
                percentile(histogram, 0.999),
                histogram.isEmpty() ? 0 : histogram.lastKey(),
                histogram.values().stream().mapToLong(v -> v).sum());
    }

    /** Events/s of one run, measured at the source between 10% and 100% of its events. */
    private double throughput(String socket, long count) throws Exception {
        StreamExecutionEnvironment env = environment();
        Probe.reset();
        DataStream<EventRecord> source =
                source(env, count, RateLimiterStrategy.noOp())
                        .map(new Probe(count / parallelism / 10))
                        .returns(RecordTypes.EVENT);
        attach(source, socket);
        env.execute(socket == null ? "in-process" : "sidecar");
        return Probe.rate();
    }

    private TreeMap<Integer, Integer> latency(String socket, long rate) throws Exception {
        StreamExecutionEnvironment env = environment();
        long count = rate * 15;
        attach(source(env, count, RateLimiterStrategy.perSecond(rate)), socket);
        JobExecutionResult result = env.execute("sidecar latency");
        return new TreeMap<>(
                result.<Map<Integer, Integer>>getAccumulatorResult("sidecar-latency-us"));
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
                                        .with(SidecarOperatorOptions.LATENCY_SAMPLE_INTERVAL, 16));
        results.sinkTo(new DiscardingSink<>());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
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
