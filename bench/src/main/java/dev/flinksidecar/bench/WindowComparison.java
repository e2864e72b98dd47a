package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.window.NativeWindowedAggregate;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.CloseableIterator;

/**
 * The window benchmark: the {@code windowed-aggregate} rule (a 10 s tumbling window, sum of amounts
 * per key) through a real sidecar process against Flink's own window operator with the equivalent
 * aggregate ({@link NativeWindowedAggregate}, as the differential ITCase uses it), on the same
 * synthetic input with the same watermarks. First a check that both give the same window results;
 * then both warm up, then runs alternate in one JVM; medians and their ratio are printed. Last, the
 * sidecar's memory per open window and key ({@link WindowMemory}).
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.WindowComparison [--events 10000000] [--runs 3] [--parallelism 1] [--keys 1000] \
 *     [--sidecar-jar sidecar/target/sidecar.jar] [--sidecar-flags none]
 * </pre>
 *
 * {@code --sidecar-flags}: {@code none} (default) starts the sidecar with the JDK's defaults,
 * {@code launcher} with the JVM flags of its launcher, anything else is taken as the flags
 * themselves.
 *
 * <p>Run from the repository root after {@code mvn -DskipTests install}. Event times advance 1 ms
 * per event, so with 1000 keys a window holds about 10 events of each key.
 */
public final class WindowComparison {

    static final String CONFIG =
            "{\"id\": \"windowed-aggregate\", \"window\": {\"type\": \"tumbling\", \"size\": \"10s\"},"
                    + " \"allowed_lateness\": \"0s\", \"aggregate\": \"sum\", \"field\": \"amount\", \"event_type\": \"payment\"}";

    private final int parallelism;
    private final int keys;

    private WindowComparison(int parallelism, int keys) {
        this.parallelism = parallelism;
        this.keys = keys;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        long events = Long.parseLong(flags.getOrDefault("--events", "10000000"));
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        int parallelism = Integer.parseInt(flags.getOrDefault("--parallelism", "1"));
        int keys = Integer.parseInt(flags.getOrDefault("--keys", "1000"));
        WindowComparison bench = new WindowComparison(parallelism, keys);

        Path dir = Files.createTempDirectory("sidecar-window-bench");
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.copy(
                Path.of("examples/target/rules/windowed-aggregate.jar"),
                rules.resolve("windowed-aggregate.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(rules.resolve("windowed-aggregate.json"), CONFIG);
        // a private copy: a rebuild of the sidecar module during the run cannot swap classes under
        // it
        Path jar =
                Files.copy(
                        Path.of(flags.getOrDefault("--sidecar-jar", "sidecar/target/sidecar.jar")),
                        dir.resolve("sidecar.jar"));
        System.out.printf(
                "events per run %,d, keys %,d, parallelism %d, rule %s%n",
                events, keys, parallelism, CONFIG);
        List<String> jvmFlags =
                BenchSidecar.flagsOption(flags.getOrDefault("--sidecar-flags", "none"), jar);
        try (BenchSidecar sidecar = BenchSidecar.start(jar, rules, dir, jvmFlags)) {
            String socket = sidecar.socket.toString();
            bench.check(socket, 200_000);
            bench.run(socket, events, runs);
        }
        WindowMemory.report(jar, rules, dir);
    }

    /** Both paths give the same window results on a small run, or the comparison is void. */
    private void check(String socket, long count) throws Exception {
        Map<String, Integer> sidecar = resultLines(socket, count);
        Map<String, Integer> flink = resultLines(null, count);
        int total = sidecar.values().stream().mapToInt(Integer::intValue).sum();
        if (!sidecar.equals(flink)) {
            throw new IllegalStateException(
                    "the sidecar and Flink's window operator disagree on " + count + " events");
        }
        System.out.printf(
                "check: %,d events give %,d window results, identical through the sidecar and Flink's window operator%n",
                count, total);
    }

    private void run(String socket, long events, int runs) throws Exception {
        throughput(null, events / 4);
        throughput(socket, events / 4);
        List<Double> flink = new ArrayList<>();
        List<Double> sidecar = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            flink.add(throughput(null, events));
            sidecar.add(throughput(socket, events));
            System.out.printf(
                    "run %d: Flink window operator %,.0f events/s, sidecar %,.0f events/s%n",
                    r + 1, flink.get(r), sidecar.get(r));
        }
        double a = median(flink);
        double b = median(sidecar);
        System.out.printf(
                "median: Flink window operator %,.0f events/s, sidecar %,.0f events/s, ratio %.2f%n",
                a, b, b / a);
    }

    /** Events/s of one run, measured at the source between 10% and 100% of its events. */
    private double throughput(String socket, long count) throws Exception {
        StreamExecutionEnvironment env = environment();
        Probe.reset();
        DataStream<EventRecord> source =
                source(env, count)
                        .map(new Probe(count / parallelism / 10))
                        .returns(RecordTypes.EVENT);
        windows(source, socket).sinkTo(new DiscardingSink<>());
        env.execute(socket == null ? "flink windows" : "sidecar windows");
        return Probe.rate();
    }

    private Map<String, Integer> resultLines(String socket, long count) throws Exception {
        StreamExecutionEnvironment env = environment();
        Map<String, Integer> lines = new HashMap<>();
        try (CloseableIterator<String> results =
                windows(source(env, count), socket).executeAndCollect()) {
            results.forEachRemaining(
                    line ->
                            lines.merge(
                                    line.replaceAll(
                                            "\"version\":\"([^\"+]*)\\+[0-9a-f]+\"",
                                            "\"version\":\"$1\""),
                                    1,
                                    Integer::sum));
        }
        return lines;
    }

    /**
     * The window results as lines: through the sidecar on {@code socket}, or Flink's own operator
     * when null.
     */
    private static DataStream<String> windows(DataStream<EventRecord> events, String socket) {
        if (socket == null) {
            return NativeWindowedAggregate.apply(events, CONFIG, "1.0.0").results();
        }
        return SidecarStreams.process(
                        events.keyBy(EventRecord::key, Types.STRING),
                        SidecarOperatorOptions.defaults()
                                .with(SidecarOperatorOptions.SOCKET_PATH, socket))
                .map(ResultRecord::json)
                .returns(Types.STRING);
    }

    private StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
        env.getConfig().enableObjectReuse();
        return env;
    }

    private DataStream<EventRecord> source(StreamExecutionEnvironment env, long count) {
        int keyCount = keys;
        DataGeneratorSource<EventRecord> generator =
                new DataGeneratorSource<>(
                        i -> SyntheticPayments.event(i, keyCount),
                        count,
                        RateLimiterStrategy.noOp(),
                        RecordTypes.EVENT);
        WatermarkStrategy<EventRecord> watermarks =
                WatermarkStrategy.<EventRecord>forBoundedOutOfOrderness(Duration.ofSeconds(1))
                        .withTimestampAssigner((event, previous) -> event.time());
        return env.fromSource(generator, watermarks, "synthetic payments");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
