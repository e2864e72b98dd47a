package dev.flinksidecar.examples.userjob;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real sidecar for the test, as a user starts one beside a TaskManager: {@code java -jar
 * sidecar.jar serve --socket S --rules-dir R} in a process of its own, its output in a log file.
 * Used by the test's thread; {@link #close()} stops it (SIGTERM, then SIGKILL).
 */
final class SidecarChild implements AutoCloseable {

    private final Process process;
    private final Path log;

    private SidecarChild(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts it and waits until {@code socket} accepts a connection, at most {@code timeout}. */
    static SidecarChild start(
            Path sidecarJar, Path socket, Path rulesDir, Path dir, Duration timeout)
            throws IOException, InterruptedException {
        Path log = dir.resolve("sidecar.log");
        Process process =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Djava.io.tmpdir=" + dir,
                                        "-jar",
                                        sidecarJar.toString(),
                                        "serve",
                                        "--socket",
                                        socket.toString(),
                                        "--rules-dir",
                                        rulesDir.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        SidecarChild sidecar = new SidecarChild(process, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepts(socket)) {
            if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                throw new IOException(
                        "the sidecar exited with " + process.exitValue() + ": " + sidecar.output());
            }
            if (System.nanoTime() > deadline) {
                sidecar.close();
                throw new IOException(
                        "the sidecar did not accept on "
                                + socket
                                + " within "
                                + timeout
                                + ": "
                                + sidecar.output());
            }
        }
        return sidecar;
    }

    private static boolean accepts(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What it printed. */
    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
