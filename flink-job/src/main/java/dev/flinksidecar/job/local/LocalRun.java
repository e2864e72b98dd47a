package dev.flinksidecar.job.local;

import dev.flinksidecar.job.JobArgs;
import dev.flinksidecar.job.JobPipeline;
import dev.flinksidecar.job.UsageException;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import dev.flinksidecar.operator.client.SocketConnector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Local mode: the job on an embedded Flink cluster (a MiniCluster in this JVM), with a supervised
 * sidecar child process unless {@code --socket} names a running one: when the child dies it is
 * started again (see {@link SupervisedSidecar}), as Kubernetes restarts a sidecar container. Runs
 * on the main thread.
 *
 * <p>Flink's restarts are off: in local mode a job failure ends the run with one message instead of
 * retrying behind the user's back. The sidecar child is restarted all the same, so that the
 * operator can reconnect to it without a job failure.
 */
public final class LocalRun {

    private static final Duration SIDECAR_START_TIMEOUT = Duration.ofSeconds(30);

    private LocalRun() {}

    /**
     * Runs the local job, starting the sidecar from this JVM's class path; returns the exit code.
     */
    public static int run(JobArgs args, PrintStream out) throws Exception {
        return run(args, out, LocalSidecarProcess::fromClassPath);
    }

    /**
     * Runs the local job; returns the exit code. {@code sidecarCommand} is asked, only when the job
     * starts its own sidecar, for the command that runs it ({@code serve ...} is appended): in the
     * local jar the sidecar runs from the jar's own class path, while a test whose class path holds
     * the operator's jar beside the sidecar's classes runs it from {@code sidecar.jar}.
     */
    public static int run(JobArgs args, PrintStream out, Supplier<List<String>> sidecarCommand)
            throws Exception {
        Path output = args.kafkaOutput() == null ? Path.of(args.output()) : null;
        checkInputs(args, output);
        SidecarOperatorOptions options = args.operatorOptions();
        Path tempDir = null;
        SupervisedSidecar sidecar = null;
        try {
            if (args.socket() == null) {
                tempDir = Files.createTempDirectory("flink-sidecar-");
                Path socket = tempDir.resolve("sidecar.sock");
                out.println(
                        "starting a sidecar on "
                                + socket
                                + " with the rules in "
                                + args.rulesDir());
                sidecar =
                        SupervisedSidecar.start(
                                sidecarCommand.get(),
                                socket,
                                Path.of(args.rulesDir()),
                                tempDir.resolve("sidecar.log"),
                                SIDECAR_START_TIMEOUT);
                options = options.with(SidecarOperatorOptions.SOCKET_PATH, socket.toString());
            } else {
                awaitSidecar(
                        Path.of(args.socket()),
                        options.get(SidecarOperatorOptions.CONNECT_TIMEOUT));
            }
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(conf);
            JobPipeline.build(env, args, options, SidecarRunnerFactory.socket());
            JobExecutionResult result = env.execute(args.jobName());
            OptionalInt restarts =
                    sidecar == null ? OptionalInt.empty() : OptionalInt.of(sidecar.restarts());
            if (args.kafkaOutput() != null) {
                RunSummary.printKafka(result, args.kafkaOutput(), restarts, out);
            } else {
                RunSummary.print(result, output, restarts, out);
            }
            return 0;
        } finally {
            if (sidecar != null) {
                sidecar.close();
            }
            if (tempDir != null) {
                deleteTree(tempDir);
            }
        }
    }

    private static void checkInputs(JobArgs args, Path output) throws UsageException, IOException {
        if (args.kafkaInput() == null && !Files.exists(Path.of(args.input()))) {
            throw new UsageException("--input " + args.input() + " does not exist");
        }
        if (args.socket() == null && !Files.isDirectory(Path.of(args.rulesDir()))) {
            throw new UsageException("--rules-dir " + args.rulesDir() + " is not a directory");
        }
        if (output == null) {
            return; // Kafka output: topics, nothing to check here
        }
        Path results = output.resolve("results");
        if (Files.isDirectory(results)) {
            try (Stream<Path> files = Files.list(results)) {
                if (files.findAny().isPresent()) {
                    throw new UsageException(
                            "--output "
                                    + output
                                    + " already holds results; choose an empty folder");
                }
            }
        }
    }

    private static void awaitSidecar(Path socket, Duration timeout)
            throws IOException, InterruptedException {
        SocketConnector.connect(socket, timeout).close();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temp folder
        }
    }
}
