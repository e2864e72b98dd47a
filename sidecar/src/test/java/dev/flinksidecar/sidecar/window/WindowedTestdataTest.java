package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.LateEvents;
import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.sidecar.TestingPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.junit.jupiter.api.Test;

/**
 * The expected outputs of the windowed scenarios in {@code testdata/} are what Flink's own window
 * operator gives (see {@link FlinkWindowOracle}): for each {@code windowed-aggregate} config, the
 * results and late events of {@code keyBy(key).window(..).allowedLateness(..)
 * .sideOutputLateData(..).aggregate(..)} over the input, with {@code replay}'s deterministic
 * watermarks, written as {@code replay} writes them (firings of one watermark in timer order:
 * window end, then key). This test checks the files against Flink; with {@code
 * -Dtestdata.write=true} it writes them instead. The example module's tests check that {@code
 * replay} with the real rule jar gives the same files.
 *
 * <pre>
 *   testdata/windowed/events.jsonl + configs/NAME.json, out-of-orderness 1s -> expected/NAME.jsonl, expected/NAME-late.jsonl
 *   testdata/payments.jsonl + examples/windowed-aggregate/windowed-aggregate.json, 3s -> expected/windowed-aggregate.jsonl
 * </pre>
 */
class WindowedTestdataTest {

    /** The version the example jar's results carry. */
    private static final String VERSION = "1.0.0";

    private static final boolean WRITE = Boolean.getBoolean("testdata.write");

    private final Path root = TestingPaths.projectRoot();

    @Test
    void theWindowedScenarioIsWhatFlinksWindowOperatorGives() throws Exception {
        Path scenario = root.resolve("testdata/windowed");
        List<Path> configs;
        try (Stream<Path> list = Files.list(scenario.resolve("configs"))) {
            configs =
                    list.filter(p -> p.toString().endsWith(".json"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertThat(configs).hasSizeGreaterThanOrEqualTo(5);
        for (Path config : configs) {
            String name = config.getFileName().toString().replace(".json", "");
            Output output = run(scenario.resolve("events.jsonl"), config, Duration.ofSeconds(1));
            check(scenario.resolve("expected/" + name + ".jsonl"), output.results);
            check(scenario.resolve("expected/" + name + "-late.jsonl"), output.late);
        }
    }

    @Test
    void theDefaultConfigOverThePaymentsIsWhatFlinksWindowOperatorGives() throws Exception {
        Output output =
                run(
                        root.resolve("testdata/payments.jsonl"),
                        root.resolve("examples/windowed-aggregate/windowed-aggregate.json"),
                        Duration.ofSeconds(3));

        assertThat(output.late).as("with 3s out-of-orderness no payment is late").isEmpty();
        check(root.resolve("testdata/expected/windowed-aggregate.jsonl"), output.results);
    }

    private static void check(Path expected, List<String> lines) throws IOException {
        String text = lines.stream().map(line -> line + "\n").collect(Collectors.joining());
        if (WRITE) {
            Files.createDirectories(expected.getParent());
            Files.writeString(expected, text, StandardCharsets.UTF_8);
        }
        assertThat(expected)
                .as("written by Flink's window operator; regenerate with -Dtestdata.write=true")
                .exists();
        assertThat(Files.readString(expected, StandardCharsets.UTF_8))
                .as(expected.toString())
                .isEqualTo(text);
    }

    /**
     * Runs one windowed-aggregate config through Flink's window operator with replay's watermarks.
     */
    private static Output run(Path input, Path configFile, Duration outOfOrderness)
            throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> config =
                (Map<String, Object>)
                        Json.parse(Files.readString(configFile, StandardCharsets.UTF_8));
        String id = (String) config.get("id");
        String field = (String) config.get("field");
        String type = (String) config.get("event_type");
        String aggregate = (String) config.get("aggregate");
        WindowAssigner windows =
                WindowAssigner.fromConfig(RuleConfig.of(config).getObject("window"));
        long lateness =
                Durations.parse((String) config.getOrDefault("allowed_lateness", "0s")).toMillis();

        List<EventRecord> events = new ArrayList<>();
        try (EventFileReader reader = EventFileReader.open(input)) {
            for (EventFileReader.Entry entry = reader.next();
                    entry != null;
                    entry = reader.next()) {
                if (entry.event() != null) {
                    events.add(entry.event());
                }
            }
        }
        Output output = new Output();
        try (FlinkWindowOracle flink =
                new FlinkWindowOracle(windows, lateness, new Aggregate(aggregate))) {
            long maxTime = Long.MIN_VALUE;
            for (int i = 0; i < events.size(); i++) {
                EventRecord event = events.get(i);
                int f = field == null ? -1 : event.indexOf(field);
                boolean kept =
                        (type == null || type.equals(event.type()))
                                && (field == null || (f >= 0 && event.isNumber(f)));
                if (kept) {
                    flink.element(i, event.key(), event.time(), f < 0 ? 0 : event.numberAt(f));
                }
                maxTime = Math.max(maxTime, event.time());
                flink.watermark(i, maxTime - outOfOrderness.toMillis() - 1);
            }
            flink.watermark(events.size() - 1, Long.MAX_VALUE);
            for (FlinkWindowOracle.Fired r : inReplayOrder(flink.fired())) {
                output.results.add(
                        ResultJson.windowToJson(
                                id,
                                VERSION,
                                r.key,
                                r.start,
                                r.end,
                                r.value,
                                r.count,
                                Result.of(r.key, 0)));
            }
            for (int index : flink.late()) {
                output.late.add(LateEvents.line(id, VERSION, events.get(index)));
            }
        }
        return output;
    }

    /**
     * Flink's results in the order replay writes them: by the point of the stream that emitted them
     * (as Flink emitted them), and the firings of one watermark by window end, then key (the order
     * Flink leaves open between keys; within a key it is the same).
     */
    private static List<FlinkWindowOracle.Fired> inReplayOrder(
            List<FlinkWindowOracle.Fired> fired) {
        List<FlinkWindowOracle.Fired> ordered = new ArrayList<>();
        int i = 0;
        while (i < fired.size()) {
            int j = i;
            while (j < fired.size()
                    && fired.get(j).index == fired.get(i).index
                    && fired.get(j).byWatermark == fired.get(i).byWatermark) {
                j++;
            }
            List<FlinkWindowOracle.Fired> step = new ArrayList<>(fired.subList(i, j));
            if (step.get(0).byWatermark) {
                step.sort(
                        Comparator.comparingLong((FlinkWindowOracle.Fired r) -> r.time)
                                .thenComparing(r -> r.key));
            }
            ordered.addAll(step);
            i = j;
        }
        return ordered;
    }

    private static final class Output {
        final List<String> results = new ArrayList<>();
        final List<String> late = new ArrayList<>();
    }

    /**
     * The five aggregates as a Flink {@code AggregateFunction} over {@code [value, sum, n]},
     * written here on their own (not the example rule's code): count, sum, min, max, avg.
     */
    private static final class Aggregate
            implements AggregateFunction<
                    Tuple4<String, Long, Double, Integer>, double[], Tuple2<Double, Long>> {
        private final String kind;

        Aggregate(String kind) {
            this.kind = kind;
        }

        @Override
        public double[] createAccumulator() {
            double start =
                    kind.equals("min")
                            ? Double.POSITIVE_INFINITY
                            : kind.equals("max") ? Double.NEGATIVE_INFINITY : 0;
            return new double[] {start, 0, 0};
        }

        @Override
        public double[] add(Tuple4<String, Long, Double, Integer> event, double[] acc) {
            double x = event.f2;
            acc[0] =
                    kind.equals("min")
                            ? Math.min(acc[0], x)
                            : kind.equals("max") ? Math.max(acc[0], x) : acc[0];
            acc[1] += x;
            acc[2] += 1;
            return acc;
        }

        @Override
        public double[] merge(double[] a, double[] b) {
            a[0] =
                    kind.equals("min")
                            ? Math.min(a[0], b[0])
                            : kind.equals("max") ? Math.max(a[0], b[0]) : a[0];
            a[1] += b[1];
            a[2] += b[2];
            return a;
        }

        @Override
        public Tuple2<Double, Long> getResult(double[] acc) {
            long n = (long) acc[2];
            switch (kind) {
                case "count":
                    return Tuple2.of((double) n, n);
                case "sum":
                    return Tuple2.of(acc[1], n);
                case "avg":
                    return Tuple2.of(acc[1] / acc[2], n);
                default:
                    return Tuple2.of(acc[0], n);
            }
        }
    }
}
