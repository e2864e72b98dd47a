package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole job on a MiniCluster against a real sidecar process ({@code
 * sidecar/target/sidecar.jar}, see {@link TestSidecars}) over a real Unix socket, with the example
 * rules, compared with {@code testdata/}'s expected files exactly: the same lines, and per rule and
 * key in the same order. Rule versions are compared without a content-hash suffix ({@link
 * JobOutput#withoutBuildHash}).
 */
@Timeout(300)
class SidecarJobITCase {

    private static final int SLOTS = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(SLOTS)
                            .build());

    private static final Path ROOT = TestSidecars.ROOT;
    private static final List<String> RULES =
            List.of("threshold", "merchant-watch", "windowed-aggregate");

    @TempDir Path tmp;

    /**
     * {@code testdata/payments.jsonl} with the three example rules and their default configs, an
     * out-of-orderness of 3 s (no event is late): {@code expected/threshold.jsonl}, {@code
     * merchant-watch.jsonl}, {@code windowed-aggregate.jsonl} (written by Flink's own window
     * operator) and {@code dead-letters.jsonl}.
     */
    @ParameterizedTest(name = "parallelism {0}, deterministic watermarks {1}")
    @CsvSource({"1, false", "2, false", "2, true"})
    void givesTheExpectedResultsThroughARealSidecar(int parallelism, boolean deterministic)
            throws Exception {
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        for (String rule : RULES) {
            for (String ext : List.of(".jar", ".json")) {
                Files.copy(
                        ROOT.resolve("examples/target/rules/" + rule + ext),
                        rules.resolve(rule + ext));
            }
        }
        Path output = tmp.resolve("out");
        Path input = ROOT.resolve("testdata/payments.jsonl");
        runJob(rules, input, output, parallelism, "3s", deterministic);

        List<String> results =
                JobOutput.withoutBuildHash(
                        JobOutput.committedLines(output.resolve(JsonLinesSinks.RESULTS)));
        for (String rule : RULES) {
            List<String> expected =
                    Files.readAllLines(ROOT.resolve("testdata/expected/" + rule + ".jsonl"));
            assertSameLines(
                    rule + " at parallelism " + parallelism,
                    JobOutput.ofRule(results, rule),
                    expected);
        }
        assertThat(results.stream().map(l -> JobOutput.field(l, "rule")).distinct())
                .containsExactlyInAnyOrderElementsOf(RULES);

        assertThat(
                        deadLetterIds(
                                JobOutput.committedLines(
                                        output.resolve(JsonLinesSinks.DEAD_LETTERS))))
                .containsExactlyInAnyOrderElementsOf(
                        deadLetterIds(
                                Files.readAllLines(
                                        ROOT.resolve("testdata/expected/dead-letters.jsonl"))));
        assertThat(output.resolve(JsonLinesSinks.LATE)).isDirectory();
        assertThat(JobOutput.committedLines(output.resolve(JsonLinesSinks.LATE)))
                .as("late events")
                .isEmpty();
    }

    /**
     * {@code testdata/windowed/}: five windowed-aggregate configs with late events, deterministic
     * watermarks with an out-of-orderness of 1 s; results and late events equal the files that
     * Flink's own window operator wrote, at parallelism 2.
     */
    @Test
    void givesTheWindowedScenarioExpectedByFlinksWindowOperator() throws Exception {
        Path rules = tmp.resolve("rules");
        List<String> ids = TestSidecars.deployWindowedScenario(rules);
        Path output = tmp.resolve("out");
        runJob(rules, ROOT.resolve("testdata/windowed/events.jsonl"), output, 2, "1s", true);

        List<String> results =
                JobOutput.withoutBuildHash(
                        JobOutput.committedLines(output.resolve(JsonLinesSinks.RESULTS)));
        List<String> late =
                JobOutput.withoutBuildHash(
                        JobOutput.committedLines(output.resolve(JsonLinesSinks.LATE)));
        Path expected = ROOT.resolve("testdata/windowed/expected");
        for (String id : ids) {
            assertSameLines(
                    id + " results",
                    JobOutput.ofRule(results, id),
                    Files.readAllLines(expected.resolve(id + ".jsonl")));
            assertSameLines(
                    id + " late events",
                    JobOutput.ofRule(late, id),
                    Files.readAllLines(expected.resolve(id + "-late.jsonl")));
        }
        assertThat(late).as("late events").isNotEmpty();
    }

    private void runJob(
            Path rules,
            Path input,
            Path output,
            int parallelism,
            String outOfOrderness,
            boolean deterministic)
            throws Exception {
        Path socket = tmp.resolve("sidecar.sock");
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(tmp),
                        socket,
                        rules,
                        tmp.resolve("sidecar.log"),
                        Duration.ofSeconds(60))) {
            List<String> flags =
                    new ArrayList<>(
                            List.of(
                                    "--input",
                                    input.toString(),
                                    "--output",
                                    output.toString(),
                                    "--socket",
                                    socket.toString(),
                                    "--parallelism",
                                    String.valueOf(parallelism),
                                    "--checkpoint-interval",
                                    "500ms",
                                    "--out-of-orderness",
                                    outOfOrderness));
            if (deterministic) {
                flags.add("--deterministic-watermarks");
            }
            JobArgs args = JobArgs.parse(flags.toArray(new String[0]), false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
            env.execute("SidecarJobITCase p=" + parallelism);
            assertThat(sidecar.isAlive()).as("sidecar still running: %s", sidecar.tail()).isTrue();
        }
    }

    private static List<String> deadLetterIds(List<String> lines) {
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            ids.add(
                    JobOutput.field(line, "file")
                            + ":"
                            + JobOutput.field(line, "line")
                            + ":"
                            + JobOutput.field(line, "raw"));
        }
        return ids;
    }
}
