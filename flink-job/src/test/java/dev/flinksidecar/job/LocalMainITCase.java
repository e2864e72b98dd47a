package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode end to end, in this JVM: an embedded Flink cluster plus a sidecar child process with
 * the example rules, stopped at the end. The child runs from {@code sidecar.jar}: the local jar
 * starts it from its own class path, which this test's class path cannot stand in for (it holds the
 * operator's jar beside the sidecar's classes; see {@link TestSidecars}); bench's {@code
 * LocalJarDemoITCase} runs the local jar itself.
 */
@Timeout(300)
class LocalMainITCase {

    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath();

    @TempDir Path tmp;

    @Test
    void runsTheDemoAndPrintsWhatWentInAndOut() throws Exception {
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        for (String file :
                List.of(
                        "threshold.jar",
                        "threshold.json",
                        "merchant-watch.jar",
                        "merchant-watch.json")) {
            Files.copy(ROOT.resolve("examples/target/rules/" + file), rules.resolve(file));
        }
        Path output = tmp.resolve("out");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code =
                SidecarJob.run(
                        new String[] {
                            "--input",
                            ROOT.resolve("testdata/payments.jsonl").toString(),
                            "--output",
                            output.toString(),
                            "--rules-dir",
                            rules.toString(),
                            "--parallelism",
                            "2",
                            "--checkpoint-interval",
                            "500ms"
                        },
                        true,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        this::sidecarCommand);

        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit code; stderr: %s", err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdout)
                .contains("events in:    12000 (and 4 malformed lines)")
                .contains("results out:  618")
                .containsPattern("merchant-watch +342")
                .containsPattern("threshold +276")
                .contains("dead letters: 4")
                .contains(output.resolve("results").toAbsolutePath() + "/");
        String socketLine =
                stdout.lines()
                        .filter(l -> l.startsWith("starting a sidecar on "))
                        .findFirst()
                        .orElseThrow();
        Path socket =
                Path.of(
                        socketLine.substring(
                                "starting a sidecar on ".length(),
                                socketLine.indexOf(" with the rules")));
        assertThat(socket.getParent()).as("the sidecar's temp folder is removed").doesNotExist();
    }

    @Test
    void aSidecarThatCannotStartEndsTheRunWithItsLog() throws Exception {
        // the sidecar starts while the embedded cluster does: its failure must still be the one
        // reported, with its log, and the job cancelled
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        int code =
                SidecarJob.run(
                        new String[] {
                            "--input",
                            ROOT.resolve("testdata/payments.jsonl").toString(),
                            "--output",
                            tmp.resolve("out").toString(),
                            "--rules-dir",
                            rules.toString()
                        },
                        true,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        () -> List.of(java, "-cp", tmp.toString(), "no.such.SidecarMain"));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("exited with code 1 before it accepted connections")
                .contains("no.such.SidecarMain");
    }

    private List<String> sidecarCommand() {
        try {
            return TestSidecars.command(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
