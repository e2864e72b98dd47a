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

/** {@code replay} end to end in process: input lines to result, dead-letter and late files. */
class ReplayTest {

    private static final String INPUT =
            String.join(
                    "\n",
                    "{\"key\":\"a\",\"time\":1000,\"type\":\"payment\",\"amount\":50}",
                    "{\"key\":\"b\",\"time\":1001,\"amount\":500}",
                    "not json",
                    "{\"key\":\"bad\",\"time\":1002,\"amount\":300}",
                    "",
                    "{\"key\":\"c\",\"time\":\"1970-01-01T00:00:01.003Z\",\"amount\":150.5}",
                    "");

    @TempDir Path dir;

    private Path rules;
    private Path input;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        TestingRuleJars.jar(
                rules, "throwing", "1.0.0", TestingRuleJars.THROWING, "testrules.Throwing");
        input = Files.writeString(dir.resolve("in.jsonl"), INPUT);
    }

    @Test
    void writesResultsDeadLettersAndLateEventsInInputOrder() throws IOException {
        Path out = dir.resolve("out/results.jsonl");
        Path dead = dir.resolve("out/dead.jsonl");
        Path late = dir.resolve("out/late.jsonl");

        assertThat(
                        replay(
                                out,
                                "--dead-letter-output",
                                dead.toString(),
                                "--late-output",
                                late.toString()))
                .isZero();

        assertThat(TestingVersions.normalised(Files.readAllLines(out), rules))
                .containsExactly(
                        "{\"rule\":\"throwing\",\"version\":\"1.0.0\",\"key\":\"a\",\"time\":1000,\"seen\":true}",
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"b\",\"time\":1001,\"amount\":500,\"source\":\"threshold\"}",
                        "{\"rule\":\"throwing\",\"version\":\"1.0.0\",\"key\":\"b\",\"time\":1001,\"seen\":true}",
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"bad\",\"time\":1002,\"amount\":300,\"source\":\"threshold\"}",
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"c\",\"time\":1003,\"amount\":150.5,\"source\":\"threshold\"}",
                        "{\"rule\":\"throwing\",\"version\":\"1.0.0\",\"key\":\"c\",\"time\":1003,\"seen\":true}");
        List<String> deadLetters = Files.readAllLines(dead);
        assertThat(deadLetters).hasSize(2);
        assertThat(deadLetters.get(0))
                .startsWith("{\"file\":\"in.jsonl\",\"line\":3,\"reason\":")
                .endsWith(",\"raw\":\"not json\"}");
        assertThat(TestingVersions.normalised(deadLetters.get(1), rules))
                .isEqualTo(
                        "{\"rule\":\"throwing\",\"version\":\"1.0.0\",\"reason\":"
                                + "\"java.lang.IllegalStateException: no amount\",\"event\":{\"key\":\"bad\",\"time\":1002,\"amount\":300}}");
        assertThat(late).exists().isEmptyFile();
        assertThat(err.toString())
                .startsWith(
                        "replay: 4 events from 1 file -> 6 results, 2 dead letters (1 malformed, 1 rule failure), 0 late, ");
    }

    @Test
    void theOutputDoesNotDependOnTheBatchSize() throws IOException {
        Path batched = dir.resolve("batched.jsonl");
        Path single = dir.resolve("single.jsonl");
        Path deadBatched = dir.resolve("dead-batched.jsonl");
        Path deadSingle = dir.resolve("dead-single.jsonl");

        assertThat(replay(batched, "--dead-letter-output", deadBatched.toString())).isZero();
        assertThat(
                        replay(
                                single,
                                "--dead-letter-output",
                                deadSingle.toString(),
                                "--conf",
                                "sidecar.replay.batch-size=1"))
                .isZero();

        assertThat(Files.readAllLines(single)).isEqualTo(Files.readAllLines(batched)).hasSize(6);
        assertThat(Files.readAllLines(deadSingle))
                .isEqualTo(Files.readAllLines(deadBatched))
                .hasSize(2);
    }

    @Test
    void readsEveryFileOfAFolderInNameOrder() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("input"));
        Files.writeString(
                folder.resolve("2.jsonl"), "{\"key\":\"second\",\"time\":2,\"amount\":200}\n");
        Files.writeString(
                folder.resolve("1.jsonl"), "{\"key\":\"first\",\"time\":1,\"amount\":100.5}\n");
        input = folder;
        Path out = dir.resolve("out.jsonl");

        assertThat(replay(out)).isZero();

        assertThat(TestingVersions.normalised(Files.readAllLines(out), rules))
                .filteredOn(line -> line.contains("threshold"))
                .extracting(line -> line.split("\"key\":\"")[1].split("\"")[0])
                .containsExactly("first", "second");
        assertThat(err.toString())
                .startsWith("replay: 2 events from 2 files -> 4 results, 0 dead letters");
    }

    @Test
    void withoutADeadLetterOutputTheyAreCountedAndTheSummarySaysSo() throws IOException {
        assertThat(replay(dir.resolve("out.jsonl"))).isZero();
        assertThat(err.toString())
                .contains(
                        "2 dead letters (1 malformed, 1 rule failure) not written: no --dead-letter-output");
    }

    private int replay(Path output, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                rules.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                output.toString()));
        args.addAll(List.of(more));
        return Main.run(
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                args.toArray(new String[0]));
    }
}
