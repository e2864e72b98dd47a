package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.operator.SidecarOperatorOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines get one clear line on stderr and a non-zero exit code, never a stack trace. */
class SidecarJobCliTest {

    @TempDir Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(boolean local, String... args) {
        return SidecarJob.run(
                args,
                local,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownFlag() {
        assertThat(
                        run(
                                false,
                                "--input",
                                "x",
                                "--output",
                                "y",
                                "--socket",
                                "s",
                                "--paralelism",
                                "2"))
                .isEqualTo(2);
        assertThat(stderr()).startsWith("flink-sidecar: unknown flag '--paralelism'\n");
        assertThat(stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingRequiredFlags() {
        assertThat(run(false, "--output", "y", "--socket", "s")).isEqualTo(2);
        assertThat(stderr()).startsWith("flink-sidecar: missing --input\n");
    }

    @Test
    void clusterModeWithoutASocketLeavesThePathToTheTaskManagers() throws Exception {
        JobArgs args = JobArgs.parse(new String[] {"--input", "x", "--output", "y"}, false);
        assertThat(args.socket()).isNull();
        Configuration taskManager = new Configuration();
        taskManager.setString(SidecarOperatorOptions.SOCKET_PATH.key(), "/run/tm-1/sidecar.sock");
        assertThat(
                        args.operatorOptions()
                                .onTaskManager(taskManager)
                                .get(SidecarOperatorOptions.SOCKET_PATH))
                .isEqualTo("/run/tm-1/sidecar.sock");
        assertThat(
                        args.operatorOptions()
                                .onTaskManager(new Configuration())
                                .get(SidecarOperatorOptions.SOCKET_PATH))
                .isEqualTo(SidecarOperatorOptions.SOCKET_PATH.defaultValue());
        assertThat(JobArgs.USAGE).contains("sidecar.operator.socket-path from its config.yaml");
    }

    @Test
    void aSocketSetByTheJobWinsOverTheTaskManagers() throws Exception {
        Configuration taskManager = new Configuration();
        taskManager.setString(SidecarOperatorOptions.SOCKET_PATH.key(), "/run/tm-1/sidecar.sock");
        JobArgs flag =
                JobArgs.parse(
                        new String[] {
                            "--input",
                            "x",
                            "--output",
                            "y",
                            "--socket",
                            "/a.sock",
                            "--set",
                            "sidecar.operator.socket-path=/b.sock"
                        },
                        false);
        assertThat(
                        flag.operatorOptions()
                                .onTaskManager(taskManager)
                                .get(SidecarOperatorOptions.SOCKET_PATH))
                .isEqualTo("/a.sock");
        JobArgs set =
                JobArgs.parse(
                        new String[] {
                            "--input",
                            "x",
                            "--output",
                            "y",
                            "--set",
                            "sidecar.operator.socket-path=/b.sock"
                        },
                        false);
        assertThat(
                        set.operatorOptions()
                                .onTaskManager(taskManager)
                                .get(SidecarOperatorOptions.SOCKET_PATH))
                .isEqualTo("/b.sock");
        assertThat(set.operatorOptions().socketPathOrigin(taskManager)).isEqualTo("set by the job");
    }

    @Test
    void localModeNeedsRulesOrASocket() {
        assertThat(run(true, "--input", "x", "--output", "y")).isEqualTo(2);
        assertThat(stderr()).contains("missing --rules-dir DIR");
    }

    @Test
    void flagWithoutValue() {
        assertThat(run(false, "--input", "x", "--output")).isEqualTo(2);
        assertThat(stderr()).startsWith("flink-sidecar: --output needs a value\n");
    }

    @Test
    void badDurationAndParallelism() {
        assertThat(
                        run(
                                false,
                                "--input",
                                "x",
                                "--output",
                                "y",
                                "--socket",
                                "s",
                                "--checkpoint-interval",
                                "ten"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--checkpoint-interval: 'ten' is not a duration");
        err.reset();
        assertThat(
                        run(
                                false,
                                "--input",
                                "x",
                                "--output",
                                "y",
                                "--socket",
                                "s",
                                "--parallelism",
                                "0"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--parallelism wants a whole number above 0, not '0'");
    }

    @Test
    void unknownOperatorOption() {
        assertThat(
                        run(
                                false,
                                "--input",
                                "x",
                                "--output",
                                "y",
                                "--socket",
                                "s",
                                "--set",
                                "sidecar.operator.batch.max-evnts=3"))
                .isEqualTo(2);
        assertThat(stderr()).contains("unknown option 'sidecar.operator.batch.max-evnts'");
    }

    @Test
    void missingInputInLocalMode() {
        assertThat(
                        run(
                                true,
                                "--input",
                                tmp.resolve("none.jsonl").toString(),
                                "--output",
                                tmp.toString(),
                                "--rules-dir",
                                tmp.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("--input " + tmp.resolve("none.jsonl") + " does not exist");
    }

    @Test
    void missingRulesDirInLocalMode() throws IOException {
        Path input = Files.writeString(tmp.resolve("in.jsonl"), "");
        assertThat(
                        run(
                                true,
                                "--input",
                                input.toString(),
                                "--output",
                                tmp.resolve("out").toString(),
                                "--rules-dir",
                                tmp.resolve("no-rules").toString()))
                .isEqualTo(2);
        assertThat(stderr())
                .contains("--rules-dir " + tmp.resolve("no-rules") + " is not a directory");
    }

    @Test
    void noSidecarOnTheGivenSocket() throws IOException {
        Path input = Files.writeString(tmp.resolve("in.jsonl"), "{\"key\":\"a\",\"time\":1}\n");
        Path socket = tmp.resolve("nobody.sock");
        assertThat(
                        run(
                                true,
                                "--input",
                                input.toString(),
                                "--output",
                                tmp.resolve("out").toString(),
                                "--socket",
                                socket.toString(),
                                "--set",
                                "sidecar.operator.connect-timeout=100ms"))
                .isEqualTo(1);
        assertThat(stderr())
                .startsWith(
                        "flink-sidecar: no sidecar is listening on "
                                + socket
                                + ": the socket file does not exist");
        assertThat(stderr().lines().count()).isEqualTo(1);
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run(false, "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--deterministic-watermarks")
                .contains("--idle-timeout");
    }

    @Test
    void idleTimeoutDefaultsTo30sAndZeroTurnsItOff() throws Exception {
        String[] base = {"--input", "x", "--output", "y", "--socket", "s"};
        assertThat(JobArgs.parse(base, false).idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        String[] off = {"--input", "x", "--output", "y", "--socket", "s", "--idle-timeout", "0s"};
        assertThat(JobArgs.parse(off, false).idleTimeout()).isZero();
        assertThat(
                        run(
                                false,
                                "--input",
                                "x",
                                "--output",
                                "y",
                                "--socket",
                                "s",
                                "--idle-timeout",
                                "soon"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--idle-timeout: 'soon' is not a duration");
    }

    @Test
    void theIdleTimeoutIsDocumentedWithItsDefault() throws IOException {
        Path doc = Path.of("OPTIONS.md");
        if (!Files.exists(doc)) {
            doc = Path.of(System.getProperty("project.root", "."), "flink-job", "OPTIONS.md");
        }
        assertThat(Files.readString(doc))
                .contains("| `--idle-timeout D` | `" + JobArgs.DEFAULT_IDLE_TIMEOUT + "` |");
        assertThat(JobArgs.USAGE).contains("default " + JobArgs.DEFAULT_IDLE_TIMEOUT);
    }

    @Test
    void kafkaAddressesAreCheckedWhenTheFlagsAre() throws Exception {
        assertThat(
                        run(
                                false,
                                "--input",
                                "kafka://localhost/payments",
                                "--output",
                                "y",
                                "--socket",
                                "s"))
                .isEqualTo(2);
        assertThat(stderr())
                .startsWith(
                        "flink-sidecar: --input kafka://localhost/payments: server 'localhost' has no"
                                + " port: write HOST:PORT\n");
        JobArgs args =
                JobArgs.parse(
                        new String[] {
                            "--input",
                            "kafka://localhost:9092/payments",
                            "--output",
                            "kafka://localhost:9092/results?delivery=at-least-once",
                            "--bounded",
                            "--job-name",
                            "fraud"
                        },
                        false);
        assertThat(args.kafkaInput().topic()).isEqualTo("payments");
        assertThat(args.kafkaOutput().topic()).isEqualTo("results");
        assertThat(args.bounded()).isTrue();
        assertThat(args.jobName()).isEqualTo("fraud");
        assertThat(JobArgs.parse(new String[] {"--input", "x", "--output", "y"}, false).jobName())
                .isEqualTo(JobPipeline.JOB_NAME);
    }

    @Test
    void kafkaOnlyFlagsAreRefusedWithFiles() {
        assertThat(run(false, "--input", "x.jsonl", "--output", "y", "--bounded")).isEqualTo(2);
        assertThat(stderr()).contains("--bounded is for Kafka input");
        err.reset();
        assertThat(
                        run(
                                false,
                                "--input",
                                "kafka://h:1/t",
                                "--output",
                                "y",
                                "--deterministic-watermarks"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--deterministic-watermarks is for file input");
    }

    @Test
    void maxLineBytesDefaultsToAMegabyteAndIsForFilesOnly() throws Exception {
        String[] base = {"--input", "x", "--output", "y", "--socket", "s"};
        assertThat(JobArgs.parse(base, false).maxLineBytes()).isEqualTo(1 << 20);
        String[] set = {
            "--input", "x", "--output", "y", "--socket", "s", "--max-line-bytes", "4096"
        };
        assertThat(JobArgs.parse(set, false).maxLineBytes()).isEqualTo(4096);
        assertThat(run(false, "--input", "x", "--output", "y", "--max-line-bytes", "0"))
                .isEqualTo(2);
        assertThat(stderr())
                .contains(
                        "--max-line-bytes wants a whole number of bytes from 1 to 1073741824, not '0'");
        err.reset();
        assertThat(
                        run(
                                false,
                                "--input",
                                "kafka://h:1/t",
                                "--output",
                                "y",
                                "--max-line-bytes",
                                "4096"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--max-line-bytes is for file input");
    }

    /** Every flag of the usage text has a row in the README's table of job flags. */
    @Test
    void everyFlagIsInTheReadmesFlagTable() throws IOException {
        Path readme = Path.of(System.getProperty("project.root", ".."), "README.md");
        if (!Files.exists(readme)) {
            readme = Path.of("..", "README.md");
        }
        String text = Files.readString(readme);
        java.util.Set<String> flags = new java.util.TreeSet<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?<![\\w-])--[a-z][a-z-]+").matcher(JobArgs.USAGE);
        while (m.find()) {
            flags.add(m.group());
        }
        assertThat(flags).contains("--bounded", "--job-name", "--input", "--idle-timeout");
        for (String flag : flags) {
            assertThat(text)
                    .as("a README row for %s", flag)
                    .containsPattern("(?m)^\\| `" + flag + "[ `]");
        }
    }
}
