package dev.flinksidecar.job.window;

import static dev.flinksidecar.job.LineAssertions.assertSameLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.JobArgs;
import dev.flinksidecar.job.JobOutput;
import dev.flinksidecar.job.JobPipeline;
import dev.flinksidecar.job.TestSidecars;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.job.source.EventSources;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Windows computed in the sidecar equal Flink's own, on a MiniCluster, end to end. One seeded
 * random stream ({@link RandomWindowStream}: many keys, events late beyond the out-of-orderness,
 * duplicate timestamps, gaps, malformed lines) goes through three paths:
 *
 * <pre>
 *  (a) the job: file source ─► keyBy ─► sidecar operator ─► a REAL sidecar process (windowed-aggregate jar)
 *  (b) the same source and watermarks ─► filter ─► keyBy ─► Flink's WindowOperator ({@link NativeWindowedAggregate})
 *  (c) {@code java -jar sidecar.jar replay}
 * </pre>
 *
 * with deterministic watermarks (after each event: the largest time so far - 1 s - 1 ms; at the end
 * {@code Long.MAX_VALUE}) for six configs (tumbling, sliding and session windows, each with and
 * without allowed lateness) at parallelism 1 and 2. Results and late events of the three must be
 * the same lines, as multisets and per key in order (rule versions compared without a content-hash
 * suffix). Every config is a rule of its own in one sidecar (and one replay), so each path runs
 * once per parallelism: 2 + 2 jobs and one replay for the 12 cases.
 *
 * <p>{@code -Dwindow.differential.seed=N} replays another stream.
 */
@Timeout(600)
class WindowDifferentialITCase {

    private static final long SEED = Long.getLong("window.differential.seed", 20260101L);
    private static final int EVENTS = 3000;
    private static final int KEYS = 60;
    private static final String OUT_OF_ORDERNESS = "1s";
    private static final String VERSION = "1.0.0";

    /** Rule id to windowed-aggregate config. */
    private static final Map<String, String> CONFIGS = new LinkedHashMap<>();

    static {
        config(
                "tumbling-sum",
                "{\"type\": \"tumbling\", \"size\": \"5s\"}",
                "0s",
                "sum",
                "amount",
                "payment");
        config(
                "tumbling-avg-lateness",
                "{\"type\": \"tumbling\", \"size\": \"10s\", \"offset\": \"2s\"}",
                "3s",
                "avg",
                "amount",
                null);
        config(
                "sliding-max",
                "{\"type\": \"sliding\", \"size\": \"10s\", \"slide\": \"5s\"}",
                "0s",
                "max",
                "amount",
                "payment");
        config(
                "sliding-count-lateness",
                "{\"type\": \"sliding\", \"size\": \"6s\", \"slide\": \"2s\"}",
                "2s",
                "count",
                null,
                "payment");
        config(
                "session-min",
                "{\"type\": \"session\", \"gap\": \"2s\"}",
                "0s",
                "min",
                "amount",
                null);
        config(
                "session-sum-lateness",
                "{\"type\": \"session\", \"gap\": \"3s\"}",
                "4s",
                "sum",
                "amount",
                "payment");
    }

    private static void config(
            String id,
            String window,
            String lateness,
            String aggregate,
            String field,
            String type) {
        CONFIGS.put(
                id,
                "{\"id\": \""
                        + id
                        + "\", \"window\": "
                        + window
                        + ", \"allowed_lateness\": \""
                        + lateness
                        + "\", \"aggregate\": \""
                        + aggregate
                        + "\""
                        + (field == null ? "" : ", \"field\": \"" + field + "\"")
                        + (type == null ? "" : ", \"event_type\": \"" + type + "\"")
                        + "}");
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path tmp;

    private static Path input;
    private static Path rules;
    private static LocalSidecarProcess sidecar;
    private static Lines replay;
    private static final Map<Integer, Lines> VIA_SIDECAR = new HashMap<>();
    private static final Map<Integer, Lines> VIA_FLINK = new HashMap<>();

    /** Result and late-event lines of one path, versions without a content hash. */
    record Lines(List<String> results, List<String> late) {
        Lines of(String rule) {
            return new Lines(JobOutput.ofRule(results, rule), JobOutput.ofRule(late, rule));
        }

        static Lines read(Path results, Path late) throws Exception {
            return new Lines(
                    JobOutput.withoutBuildHash(
                            results.toFile().isDirectory()
                                    ? JobOutput.committedLines(results)
                                    : JobOutput.fileLines(results)),
                    JobOutput.withoutBuildHash(
                            late.toFile().isDirectory()
                                    ? JobOutput.committedLines(late)
                                    : JobOutput.fileLines(late)));
        }
    }

    @BeforeAll
    static void startSidecar() throws Exception {
        input = tmp.resolve("events.jsonl");
        RandomWindowStream.write(input, SEED, EVENTS, KEYS, Duration.ofSeconds(1).toMillis());
        rules = tmp.resolve("rules");
        for (Map.Entry<String, String> config : CONFIGS.entrySet()) {
            TestSidecars.deploy(rules, "windowed-aggregate", config.getKey(), config.getValue());
        }
        sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(tmp),
                        tmp.resolve("sidecar.sock"),
                        rules,
                        tmp.resolve("sidecar.log"),
                        Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    static Stream<Arguments> cases() {
        return CONFIGS.keySet().stream()
                .flatMap(rule -> Stream.of(Arguments.of(rule, 1), Arguments.of(rule, 2)));
    }

    @ParameterizedTest(name = "{0} at parallelism {1}")
    @MethodSource("cases")
    void theSidecarFlinksWindowsAndReplayAgree(String rule, int parallelism) throws Exception {
        Lines expected = replay().of(rule);
        Lines viaSidecar = viaSidecar(parallelism).of(rule);
        Lines viaFlink = viaFlink(parallelism).of(rule);

        assertThat(expected.results())
                .as("window results of %s (seed %d)", rule, SEED)
                .hasSizeGreaterThan(100);
        assertThat(expected.late()).as("late events of %s", rule).isNotEmpty();
        if (!rule.endsWith("-lateness")) {
            assertThat(lateFirings(expected.results()))
                    .as("late firings without allowed lateness")
                    .isZero();
        } else {
            assertThat(lateFirings(expected.results()))
                    .as("late firings within the allowed lateness")
                    .isPositive();
        }
        String seed = " (seed " + SEED + ")";
        assertSameLines(
                "results: Flink's window operator vs replay" + seed,
                viaFlink.results(),
                expected.results());
        assertSameLines(
                "results: the job through the sidecar vs replay" + seed,
                viaSidecar.results(),
                expected.results());
        assertSameLines(
                "late events: Flink's window operator vs replay" + seed,
                viaFlink.late(),
                expected.late());
        assertSameLines(
                "late events: the job through the sidecar vs replay" + seed,
                viaSidecar.late(),
                expected.late());
    }

    /**
     * Results beyond the first of each (key, window): firings for late events within the allowed
     * lateness.
     */
    private static long lateFirings(List<String> results) {
        Map<String, Long> perWindow =
                results.stream()
                        .collect(
                                Collectors.groupingBy(
                                        line ->
                                                JobOutput.keyOf(line)
                                                        + JobOutput.field(line, "window_start")
                                                        + JobOutput.field(line, "window_end"),
                                        Collectors.counting()));
        return perWindow.values().stream().mapToLong(n -> n - 1).sum();
    }

    /** (c) {@code replay}, once for all configs. */
    private static synchronized Lines replay() throws Exception {
        if (replay == null) {
            Path out = Files.createDirectories(tmp.resolve("replay"));
            TestSidecars.replay(
                    rules,
                    input,
                    out.resolve("results.jsonl"),
                    out.resolve("late.jsonl"),
                    OUT_OF_ORDERNESS,
                    out.resolve("replay.log"));
            replay = Lines.read(out.resolve("results.jsonl"), out.resolve("late.jsonl"));
        }
        return replay;
    }

    /** (a) The job through the sidecar, once per parallelism for all configs. */
    private static synchronized Lines viaSidecar(int parallelism) throws Exception {
        if (!VIA_SIDECAR.containsKey(parallelism)) {
            Path out = tmp.resolve("sidecar-p" + parallelism);
            JobArgs args =
                    JobArgs.parse(
                            new String[] {
                                "--input",
                                input.toString(),
                                "--output",
                                out.toString(),
                                "--socket",
                                tmp.resolve("sidecar.sock").toString(),
                                "--parallelism",
                                String.valueOf(parallelism),
                                "--checkpoint-interval",
                                "500ms",
                                "--out-of-orderness",
                                OUT_OF_ORDERNESS,
                                "--deterministic-watermarks"
                            },
                            false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
            env.execute("windows through the sidecar, p=" + parallelism);
            assertThat(sidecar.isAlive()).as("sidecar still running: %s", sidecar.tail()).isTrue();
            VIA_SIDECAR.put(
                    parallelism,
                    Lines.read(
                            out.resolve(JsonLinesSinks.RESULTS), out.resolve(JsonLinesSinks.LATE)));
        }
        return VIA_SIDECAR.get(parallelism);
    }

    /**
     * (b) The same source and watermarks into Flink's own window operators, once per parallelism.
     */
    private static synchronized Lines viaFlink(int parallelism) throws Exception {
        if (!VIA_FLINK.containsKey(parallelism)) {
            Path out = tmp.resolve("flink-p" + parallelism);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
            Configuration noKryo = new Configuration();
            noKryo.set(PipelineOptions.GENERIC_TYPES, false);
            env.configure(noKryo);
            env.enableCheckpointing(500);
            env.setParallelism(parallelism);
            DataStream<EventRecord> events =
                    EventSources.read(
                            env, input.toString(), Duration.ofSeconds(1), true, Duration.ZERO);
            List<DataStream<String>> results = new ArrayList<>();
            List<DataStream<String>> late = new ArrayList<>();
            for (String config : CONFIGS.values()) {
                NativeWindowedAggregate.Lines lines =
                        NativeWindowedAggregate.apply(events, config, VERSION);
                results.add(lines.results());
                late.add(lines.late());
            }
            union(results)
                    .sinkTo(
                            JsonLinesSinks.jsonLines(
                                    new org.apache.flink.core.fs.Path(
                                            out.resolve("results").toUri())));
            union(late)
                    .sinkTo(
                            JsonLinesSinks.jsonLines(
                                    new org.apache.flink.core.fs.Path(
                                            out.resolve("late").toUri())));
            env.execute("Flink's own windows, p=" + parallelism);
            VIA_FLINK.put(parallelism, Lines.read(out.resolve("results"), out.resolve("late")));
        }
        return VIA_FLINK.get(parallelism);
    }

    @SuppressWarnings("unchecked")
    private static DataStream<String> union(List<DataStream<String>> streams) {
        return streams.get(0).union(streams.subList(1, streams.size()).toArray(new DataStream[0]));
    }
}
