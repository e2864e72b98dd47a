package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster-mode job without {@code --socket}: the TaskManager's own configuration names the
 * socket of the sidecar beside it ({@code sidecar.operator.socket-path}, as a TaskManager's {@code
 * config.yaml} would), and every subtask talks to that sidecar.
 */
@Timeout(180)
class TaskManagerSocketITCase {

    /**
     * The TaskManager's sidecar socket; known before the cluster starts, so a folder of the class.
     */
    private static final Path SOCKET_DIR = createSocketDir();

    private static final Path SOCKET = SOCKET_DIR.resolve("tm.sock");

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(taskManagerConfiguration())
                            .build());

    @TempDir Path tmp;

    private static Configuration taskManagerConfiguration() {
        Configuration conf = new Configuration();
        conf.setString(SidecarOperatorOptions.SOCKET_PATH.key(), SOCKET.toString());
        return conf;
    }

    @Test
    void theJobWithoutASocketFlagUsesTheSocketThatTheTaskManagerNames() throws Exception {
        Path rules = tmp.resolve("rules");
        TestSidecars.deploy(
                rules,
                "threshold",
                "threshold",
                Files.readString(
                        TestSidecars.ROOT.resolve("examples/target/rules/threshold.json")));
        Path output = tmp.resolve("out");
        Path log = tmp.resolve("sidecar.log");
        String jobName = "TaskManagerSocketITCase";
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(tmp), SOCKET, rules, log, Duration.ofSeconds(60))) {
            JobArgs args =
                    JobArgs.parse(
                            new String[] {
                                "--input",
                                TestSidecars.ROOT.resolve("testdata/payments.jsonl").toString(),
                                "--output",
                                output.toString(),
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "500ms",
                                "--out-of-orderness",
                                "3s"
                            },
                            false);
            assertThat(args.socket()).isNull();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
            env.execute(jobName);
            assertThat(sidecar.isAlive()).as("sidecar still running: %s", sidecar.tail()).isTrue();
        }
        List<String> results =
                JobOutput.withoutBuildHash(
                        JobOutput.committedLines(output.resolve(JsonLinesSinks.RESULTS)));
        assertSameLines(
                "threshold through the TaskManager's sidecar",
                results,
                Files.readAllLines(TestSidecars.ROOT.resolve("testdata/expected/threshold.jsonl")));
        assertThat(Files.readString(log))
                .as("the sidecar on the TaskManager's socket served both subtasks")
                .containsPattern("opened for job '" + jobName + "' operator '[^']*' subtask 0/2")
                .containsPattern("opened for job '" + jobName + "' operator '[^']*' subtask 1/2");
    }

    @AfterAll
    static void deleteSocketDir() throws IOException {
        try (Stream<Path> paths = Files.walk(SOCKET_DIR)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Path createSocketDir() {
        try {
            return Files.createTempDirectory("tm-socket");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
