package dev.flinksidecar.cluster;

import dev.flinksidecar.job.JobOutput;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the scripts of {@code cluster/bin} as a user would from a shell, each with its output in its
 * own log file, and reads the JobManager's REST API.
 */
final class Scripts {

    /** What a script did: its exit code and everything it printed (stdout and stderr). */
    record Result(int exitCode, String output) {}

    private final Path bin;
    private final Path logs;
    private final AtomicInteger runs = new AtomicInteger();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int restPort;

    Scripts(Path bin, Path logs) throws IOException {
        this.bin = bin;
        this.logs = Files.createDirectories(logs);
    }

    void restPort(int port) {
        this.restPort = port;
    }

    /**
     * Starts a cluster with {@code start-cluster.sh} on a free REST port, which later calls use.
     *
     * @throws AssertionError when it does not start, with what the script printed
     */
    Result startCluster(Path clusterDir, int taskManagers, Path rulesDir)
            throws IOException, InterruptedException {
        int port = freePort();
        Result started =
                run(
                        Duration.ofSeconds(200),
                        "start-cluster.sh",
                        "--dir",
                        clusterDir.toString(),
                        "--taskmanagers",
                        String.valueOf(taskManagers),
                        "--rules-dir",
                        rulesDir.toString(),
                        "--rest-port",
                        String.valueOf(port),
                        "--timeout",
                        "150");
        if (started.exitCode() != 0) {
            throw new AssertionError(
                    "start-cluster.sh exited with " + started.exitCode() + ": " + started.output());
        }
        restPort(port);
        return started;
    }

    /**
     * Runs {@code bin/script args...}; kills it (and what it started) when it takes longer than
     * {@code timeout}.
     */
    Result run(Duration timeout, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(bin.resolve(script).toString()));
        command.addAll(List.of(args));
        Path log = logs.resolve(runs.incrementAndGet() + "-" + script + ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw new AssertionError(
                    String.join(" ", command)
                            + " did not finish within "
                            + timeout.toSeconds()
                            + " s; its output:\n"
                            + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The state of a job from {@code GET /jobs/:id} ({@code RUNNING}, {@code FINISHED}, ...). */
    String jobState(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://localhost:" + restPort + "/jobs/" + jobId))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(
                    "GET /jobs/"
                            + jobId
                            + ": HTTP "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        return JobOutput.field(response.body(), "state");
    }

    /** A TCP port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
