package dev.flinksidecar.job.local;

import dev.flinksidecar.job.client.SocketConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sidecar running as a supervised child process: started with {@code serve --socket S
 * --rules-dir D}, its output in a log file, ready once its socket accepts a connection, stopped
 * with SIGTERM (the sidecar answers what is in flight, then exits) and killed if it does not stop
 * within a grace period. A JVM shutdown hook stops it too, so Ctrl-C leaves no orphan.
 * Used by the thread that runs the local job; {@link #close()} is idempotent.
 */
public final class SidecarProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final long POLL_MS = 20;

    private final Process process;
    private final Path socket;
    private final Path log;
    private final Thread shutdownHook;

    private SidecarProcess(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, "stop-sidecar");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The command that runs the sidecar from this JVM's class path (the local jar holds it). */
    public static List<String> fromClassPath() {
        return List.of(java(), "-XX:+UseSerialGC", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.flinksidecar.sidecar.Main");
    }

    /** The command that runs the sidecar from its own runnable jar. */
    public static List<String> fromJar(Path sidecarJar) {
        return List.of(java(), "-XX:+UseSerialGC", "-Xmx512m", "-jar", sidecarJar.toString());
    }

    /**
     * Starts {@code command serve --socket socket --rules-dir rulesDir} and waits until the socket
     * accepts, at most {@code timeout}.
     *
     * @throws IOException when the sidecar exits first (with the end of its log) or is not ready in time
     */
    public static SidecarProcess start(List<String> command, Path socket, Path rulesDir, Path log, Duration timeout)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("serve", "--socket", socket.toString(), "--rules-dir", rulesDir.toString()));
        Process process = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        SidecarProcess sidecar = new SidecarProcess(process, socket, log);
        try {
            sidecar.awaitReady(timeout);
            return sidecar;
        } catch (IOException | InterruptedException | RuntimeException e) {
            sidecar.close();
            throw e;
        }
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!SocketConnector.accepts(socket)) {
            // waitFor doubles as the pause between attempts and notices an early exit at once
            if (process.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                throw new IOException("the sidecar exited with code " + process.exitValue()
                        + " before it accepted connections on " + socket + ": " + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the sidecar did not accept connections on " + socket + " within "
                        + timeout.toMillis() + " ms: " + tail());
            }
        }
    }

    /** The process id, for logs. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines the sidecar wrote. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the sidecar (SIGTERM, then SIGKILL after a grace period) and waits for it. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs or ran
        }
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
