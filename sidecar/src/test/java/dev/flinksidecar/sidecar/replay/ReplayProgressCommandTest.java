package dev.flinksidecar.sidecar.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flinksidecar.sidecar.Main;
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
 * {@code replay}'s progress through the real command, where stderr is not a terminal: plain lines
 * on stderr (with {@code --progress-interval 0s}, one at every progress update, every {@value
 * Replay#PROGRESS_EVERY} input lines), none with {@code --no-progress}, never anything on stdout.
 */
class ReplayProgressCommandTest {

    private static final int EVENTS = 1_000;

    @TempDir Path dir;

    private Path rules;
    private Path input;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(
                System.console() == null,
                "stderr must not be a terminal here (a bar would be drawn instead)");
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            lines.append("{\"key\":\"k")
                    .append(i % 10)
                    .append("\",\"time\":")
                    .append(1_000 + i)
                    .append(",\"amount\":")
                    .append(i % 200)
                    .append("}\n");
        }
        input = Files.writeString(dir.resolve("in.jsonl"), lines);
    }

    @Test
    void printsAPlainProgressLineEveryIntervalOnStderr() {
        assertThat(replay("--progress-interval", "0s")).isZero();
        List<String> lines = err.toString().lines().toList();
        int updates = EVENTS / Replay.PROGRESS_EVERY;
        assertThat(lines).hasSize(updates + 1);
        for (int i = 0; i < updates; i++) {
            assertThat(lines.get(i))
                    .matches(
                            "replay: \\d+\\.\\d% of 0\\.\\d MiB read, "
                                    + String.format("%,d", (i + 1) * Replay.PROGRESS_EVERY)
                                    + " events, [\\d,]+ events/s, ETA (\\d+:\\d\\d|\\?)");
        }
        assertThat(lines.get(updates)).startsWith("replay: " + EVENTS + " events from 1 file -> ");
        assertThat(err.toString()).doesNotContain("\r");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void noProgressLeavesOnlyTheSummary() {
        assertThat(replay("--progress-interval", "0s", "--no-progress")).isZero();
        assertThat(err.toString().lines())
                .singleElement()
                .asString()
                .startsWith("replay: " + EVENTS + " events");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aShortRunPrintsNoProgressAtTheDefaultInterval() {
        assertThat(replay()).isZero();
        assertThat(err.toString().lines())
                .singleElement()
                .asString()
                .startsWith("replay: " + EVENTS + " events");
    }

    @Test
    void aBadIntervalIsAUsageError() {
        assertThat(replay("--progress-interval", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--progress-interval: 'soon' is not a duration");
    }

    private int replay(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                rules.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                dir.resolve("out.jsonl").toString()));
        args.addAll(List.of(more));
        return Main.run(
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                args.toArray(new String[0]));
    }
}
