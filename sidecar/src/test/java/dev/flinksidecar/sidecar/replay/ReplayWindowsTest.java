package dev.flinksidecar.sidecar.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.sidecar.Main;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} with a windowed rule beside a per-event one: the deterministic watermarks replay
 * promises (after each event, in file order, filtered or not: largest time so far -
 * out-of-orderness - 1 ms; a final one that fires every open window), late events to {@code
 * --late-output}.
 */
class ReplayWindowsTest {

    /**
     * With --out-of-orderness 1s and tumbling 10s windows; the watermark after each line in the
     * comments.
     */
    private static final String INPUT =
            String.join(
                    "\n",
                    "{\"key\":\"a\",\"time\":1000,\"type\":\"payment\",\"amount\":5}", //     -1
                    "{\"key\":\"b\",\"time\":4000,\"type\":\"payment\",\"amount\":7}", //   2999
                    "{\"key\":\"a\",\"time\":11500,\"type\":\"refund\",\"amount\":1}", //  10499:
                    // fires
                    // [0,10000)
                    // of a and b
                    "{\"key\":\"a\",\"time\":9000,\"type\":\"payment\",\"amount\":3}", //  10499:
                    // late
                    "not json", //                                                          no
                    // event, no watermark
                    "{\"key\":\"a\",\"time\":12000,\"type\":\"payment\",\"amount\":2000}", // 10999
                    ""); //                                                     end: Long.MAX_VALUE

    // fires [10000,20000) of a

    @TempDir Path dir;

    private Path rules;
    private Path input;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.windowedSum(
                rules, "sum", "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}}");
        TestingRuleJars.threshold(rules, "threshold", 100);
        input = Files.writeString(dir.resolve("in.jsonl"), INPUT);
    }

    @Test
    void windowsFireRightAfterTheEventWhoseWatermarkFiresThemAndLateEventsGoToTheLateOutput()
            throws IOException {
        Path out = dir.resolve("out.jsonl");
        Path late = dir.resolve("late.jsonl");

        assertThat(replay(out, late, "--out-of-orderness", "1s")).isZero();

        assertThat(TestingVersions.normalised(Files.readAllLines(out), rules))
                .containsExactly(
                        "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"a\",\"window_start\":0,\"window_end\":10000,\"value\":5.0,\"count\":1}",
                        "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"b\",\"window_start\":0,\"window_end\":10000,\"value\":7.0,\"count\":1}",
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"a\",\"time\":12000,\"amount\":2000,\"source\":\"threshold\"}",
                        "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"a\",\"window_start\":10000,\"window_end\":20000,\"value\":2000.0,\"count\":1}");
        assertThat(TestingVersions.normalised(Files.readAllLines(late), rules))
                .containsExactly(
                        "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"event\":{\"key\":\"a\",\"time\":9000,\"type\":\"payment\",\"amount\":3}}");
        assertThat(err.toString())
                .startsWith(
                        "replay: 5 events from 1 file -> 4 results, 1 dead letters (1 malformed, 0 rule failures)")
                .contains(", 1 late, ");
    }

    @Test
    void withMoreOutOfOrdernessNothingIsLate() throws IOException {
        Path out = dir.resolve("out.jsonl");
        Path late = dir.resolve("late.jsonl");

        assertThat(replay(out, late, "--out-of-orderness", "3s")).isZero();

        assertThat(TestingVersions.normalised(Files.readAllLines(out), rules))
                .filteredOn(line -> line.contains("window_start\":0,"))
                .containsExactly(
                        "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"a\",\"window_start\":0,\"window_end\":10000,\"value\":8.0,\"count\":2}",
                        "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"b\",\"window_start\":0,\"window_end\":10000,\"value\":7.0,\"count\":1}");
        assertThat(late).isEmptyFile();
    }

    @Test
    void theOutputDoesNotDependOnTheBatchSize() throws IOException {
        List<List<String>> outputs = new ArrayList<>();
        for (String size : new String[] {"1", "2", "3", "1024"}) {
            Path out = dir.resolve("out-" + size + ".jsonl");
            Path late = dir.resolve("late-" + size + ".jsonl");
            assertThat(
                            replay(
                                    out,
                                    late,
                                    "--out-of-orderness",
                                    "1s",
                                    "--conf",
                                    "sidecar.replay.batch-size=" + size))
                    .isZero();
            List<String> lines = new ArrayList<>(Files.readAllLines(out));
            lines.addAll(Files.readAllLines(late));
            outputs.add(lines);
        }
        assertThat(outputs)
                .allSatisfy(lines -> assertThat(lines).isEqualTo(outputs.get(0)).hasSize(5));
    }

    private int replay(Path output, Path late, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                rules.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                output.toString(),
                                "--late-output",
                                late.toString()));
        args.addAll(List.of(more));
        return Main.run(
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                args.toArray(new String[0]));
    }
}
