package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.job.local.SidecarProcess;
import dev.flinksidecar.job.operator.SidecarRunnerFactory;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole job on a MiniCluster against a real sidecar process ({@code sidecar/target/sidecar.jar})
 * over a real Unix socket, with the example rules, over {@code testdata/payments.jsonl}; the
 * output must be {@code testdata/expected/} exactly: the same lines, and per key in input order.
 */
@Timeout(300)
class SidecarJobITCase {

    private static final int SLOTS = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(SLOTS)
            .build());

    private static final Path ROOT = projectRoot();
    private static final List<String> RULES = List.of("threshold", "merchant-watch");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "parallelism {0}, deterministic watermarks {1}")
    @CsvSource({"1, false", "2, false", "2, true"})
    void givesTheExpectedResultsThroughARealSidecar(int parallelism, boolean deterministic) throws Exception {
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        for (String rule : RULES) {
            for (String ext : List.of(".jar", ".json")) {
                Files.copy(ROOT.resolve("examples/target/rules/" + rule + ext), rules.resolve(rule + ext));
            }
        }
        Path socket = tmp.resolve("sidecar.sock");
        Path output = tmp.resolve("out");
        Path input = ROOT.resolve("testdata/payments.jsonl");

        try (SidecarProcess sidecar = SidecarProcess.start(SidecarProcess.fromJar(ROOT.resolve("sidecar/target/sidecar.jar")),
                socket, rules, tmp.resolve("sidecar.log"), Duration.ofSeconds(60))) {
            List<String> flags = new ArrayList<>(List.of(
                    "--input", input.toString(), "--output", output.toString(), "--socket", socket.toString(),
                    "--parallelism", String.valueOf(parallelism), "--checkpoint-interval", "500ms"));
            if (deterministic) {
                flags.add("--deterministic-watermarks");
            }
            JobArgs args = JobArgs.parse(flags.toArray(new String[0]), false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
            env.execute("SidecarJobITCase p=" + parallelism);
            assertThat(sidecar.isAlive()).as("sidecar still running: %s", sidecar.tail()).isTrue();
        }

        List<String> expected = new ArrayList<>();
        for (String rule : RULES) {
            expected.addAll(Files.readAllLines(ROOT.resolve("testdata/expected/" + rule + ".jsonl")));
        }
        List<String> results = committedLines(output.resolve(JsonLinesSinks.RESULTS));
        assertThat(results).as("results as a multiset").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(perKey(results)).as("per key, in input order").isEqualTo(perKeyInInputOrder(expected, input));

        assertThat(deadLetterIds(committedLines(output.resolve(JsonLinesSinks.DEAD_LETTERS))))
                .containsExactlyInAnyOrderElementsOf(deadLetterIds(
                        Files.readAllLines(ROOT.resolve("testdata/expected/dead-letters.jsonl"))));
        assertThat(output.resolve(JsonLinesSinks.LATE)).isEmptyDirectory();
    }

    /** Lines of the committed part files of a sink folder, each writer's files in the order written. */
    private static List<String> committedLines(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> !f.getFileName().toString().startsWith(".")).collect(Collectors.toList());
        }
        // part-<writer>-<counter>.jsonl: group by writer, then by counter as a number
        files.sort(Comparator.comparing((Path f) -> writerOf(f)).thenComparingLong(SidecarJobITCase::counterOf));
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static String writerOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('-'));
    }

    private static long counterOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.indexOf('.', name.lastIndexOf('-'))));
    }

    private static Map<String, List<String>> perKey(List<String> lines) throws Exception {
        Map<String, List<String>> byKey = new HashMap<>();
        for (String line : lines) {
            byKey.computeIfAbsent(field(line, "key"), k -> new ArrayList<>()).add(line);
        }
        return byKey;
    }

    /** The expected lines per key, ordered by the input line of their event, then by rule id (the sidecar's order). */
    private static Map<String, List<String>> perKeyInInputOrder(List<String> expected, Path input) throws Exception {
        Map<String, Long> lineOf = new HashMap<>();
        try (EventFileReader reader = EventFileReader.open(input)) {
            EventFileReader.Entry entry;
            while ((entry = reader.next()) != null) {
                if (entry.event() != null) {
                    lineOf.putIfAbsent(entry.event().key() + "@" + entry.event().time(), entry.line());
                }
            }
        }
        Map<String, Long> order = new LinkedHashMap<>();
        for (String line : expected) {
            Long at = lineOf.get(field(line, "key") + "@" + field(line, "time"));
            assertThat(at).as("input event of %s", line).isNotNull();
            order.put(line, at);
        }
        List<String> sorted = new ArrayList<>(expected);
        sorted.sort(Comparator.comparing((String l) -> order.get(l)).thenComparing(l -> fieldUnchecked(l, "rule")));
        return perKey(sorted);
    }

    private static List<String> deadLetterIds(List<String> lines) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            ids.add(field(line, "file") + ":" + field(line, "line") + ":" + field(line, "raw"));
        }
        return ids;
    }

    private static String field(String json, String name) throws Exception {
        return String.valueOf(((Map<?, ?>) Json.parse(json)).get(name));
    }

    private static String fieldUnchecked(String json, String name) {
        try {
            return field(json, name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path projectRoot() {
        String root = System.getProperty("project.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return Files.isDirectory(path.resolve("testdata")) ? path.toAbsolutePath() : Path.of("..").toAbsolutePath();
    }
}
