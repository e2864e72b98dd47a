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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.core.execution.JobClient;
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
        CompletableFuture<SupervisedSidecar> sidecarStart = null;
        try {
            if (args.socket() == null) {
                tempDir = Files.createTempDirectory("flink-sidecar-");
                Path socket = tempDir.resolve("sidecar.sock");
                out.println(
                        "starting a sidecar on "
                                + socket
                                + " with the rules in "
                                + args.rulesDir());
                sidecarStart =
                        startInBackground(
                                sidecarCommand.get(),
                                socket,
                                Path.of(args.rulesDir()),
                                tempDir.resolve("sidecar.log"));
                // The subtasks connect once the sidecar accepts, which it may do only after the
                // embedded cluster is up: they wait as long as the start may take.
                Duration connect = options.get(SidecarOperatorOptions.CONNECT_TIMEOUT);
                options =
                        options.with(SidecarOperatorOptions.SOCKET_PATH, socket.toString())
                                .with(
                                        SidecarOperatorOptions.CONNECT_TIMEOUT,
                                        connect.compareTo(SIDECAR_START_TIMEOUT) < 0
                                                ? SIDECAR_START_TIMEOUT
                                                : connect);
            } else {
                awaitSidecar(
                        Path.of(args.socket()),
                        options.get(SidecarOperatorOptions.CONNECT_TIMEOUT));
            }
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            // no Kerberos or Hadoop in local mode: skip loading the token providers at start
            conf.set(SecurityOptions.DELEGATION_TOKENS_ENABLED, false);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(conf);
            JobPipeline.build(env, args, options, SidecarRunnerFactory.socket());
            JobExecutionResult result = execute(env, args.jobName(), sidecarStart);
            OptionalInt restarts =
                    sidecarStart == null
                            ? OptionalInt.empty()
                            : OptionalInt.of(sidecarStart.join().restarts());
            if (args.kafkaOutput() != null) {
                RunSummary.printKafka(result, args.kafkaOutput(), restarts, out);
            } else {
                RunSummary.print(result, output, restarts, out);
            }
            return 0;
        } finally {
            if (sidecarStart != null) {
                stop(sidecarStart);
            }
            if (tempDir != null) {
                deleteTree(tempDir);
            }
        }
    }

    /**
     * Starts the sidecar on a thread of its own ({@code sidecar-start}), so that its JVM starts
     * while the embedded cluster does: the two take about the same time, one after the other they
     * took twice that. The future fails as {@link SupervisedSidecar#start} fails (the end of the
     * sidecar's log in the message).
     */
    private static CompletableFuture<SupervisedSidecar> startInBackground(
            List<String> command, Path socket, Path rulesDir, Path log) {
        CompletableFuture<SupervisedSidecar> started = new CompletableFuture<>();
        Thread starter =
                new Thread(
                        () -> {
                            try {
                                started.complete(
                                        SupervisedSidecar.start(
                                                command,
                                                socket,
                                                rulesDir,
                                                log,
                                                SIDECAR_START_TIMEOUT));
                            } catch (Throwable e) {
                                started.completeExceptionally(e);
                            }
                        },
                        "sidecar-start");
        starter.setDaemon(true);
        starter.start();
        return started;
    }

    /**
     * Runs the job to its end, as {@code env.execute} does; when the sidecar this run starts cannot
     * start, the job is cancelled and the sidecar's failure is thrown instead.
     */
    private static JobExecutionResult execute(
            StreamExecutionEnvironment env,
            String jobName,
            CompletableFuture<SupervisedSidecar> sidecarStart)
            throws Exception {
        if (sidecarStart == null) {
            return env.execute(jobName);
        }
        JobClient job = env.executeAsync(jobName);
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        try {
            CompletableFuture.anyOf(sidecarStart, result).get();
            if (sidecarStart.isCompletedExceptionally()) {
                sidecarStart.get(); // throws the start's failure
            }
            return result.get();
        } catch (ExecutionException e) {
            if (!result.isDone()) {
                job.cancel();
                try {
                    result.get(); // the cluster stops once the job is cancelled
                } catch (ExecutionException | CancellationException cancelled) {
                    // expected: the sidecar's failure is the one to report
                }
            }
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : e;
        }
    }

    /** Stops the sidecar once its start has ended, however it ended. */
    private static void stop(CompletableFuture<SupervisedSidecar> sidecarStart) {
        try {
            sidecarStart.get().close();
        } catch (ExecutionException failedToStart) {
            // nothing runs: the start closed what it had started
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
