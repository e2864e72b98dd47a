package dev.flinksidecar.bench;

import dev.flinksidecar.proto.Hello;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A real sidecar process from {@code sidecar/target/sidecar.jar}, started for a benchmark: {@code
 * serve} on a socket in the benchmark's folder, its log beside it.
 */
final class BenchSidecar implements AutoCloseable {

    private final Process process;
    final Path socket;

    private BenchSidecar(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /**
     * A rules folder {@code dir/name} holding the example threshold rule at {@link
     * JobComparison#LIMIT} (the rule of JobComparison, KafkaComparison and RoundTripFloor).
     */
    static Path thresholdRules(Path dir, String name) throws IOException {
        Path rules = Files.createDirectories(dir.resolve(name));
        Files.copy(
                Path.of("examples/target/rules/threshold.jar"),
                rules.resolve("threshold.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(
                rules.resolve("threshold.json"),
                "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": "
                        + (long) JobComparison.LIMIT
                        + "}");
        return rules;
    }

    /** The Hello of a benchmark's own session: one subtask of parallelism 1. */
    static Hello.Builder hello(String jobName) {
        return Hello.newBuilder()
                .setJobId("bench")
                .setJobName(jobName)
                .setOperatorId("bench")
                .setOperatorName("sidecar")
                .setSubtaskIndex(0)
                .setParallelism(1)
                .setMaxParallelism(128);
    }

    /** Starts {@code serve} on a socket in {@code dir} and waits until it accepts. */
    static BenchSidecar start(Path jar, Path rulesDir, Path dir, List<String> jvmFlags)
            throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " not found: build first (mvn -DskipTests package)");
        }
        Path socket = dir.resolve("sidecar.sock");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(
                List.of(
                        "-jar",
                        jar.toString(),
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--rules-dir",
                        rulesDir.toString()));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("sidecar.log").toFile())
                        .start();
        BenchSidecar sidecar = new BenchSidecar(process, socket);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!accepts(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                sidecar.close();
                throw new IOException("sidecar did not start; see " + dir.resolve("sidecar.log"));
            }
            Thread.onSpinWait();
        }
        return sidecar;
    }

    /**
     * The JVM flags the sidecar's launcher and local mode start it with: the lines of the {@code
     * jvm-flags} resource in {@code jar}, without blank and comment lines; none when the jar has no
     * such resource.
     */
    static List<String> launcherFlags(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry entry = file.getJarEntry("dev/flinksidecar/sidecar/footprint/jvm-flags");
            if (entry == null) {
                return List.of();
            }
            try (InputStream in = file.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .map(String::trim)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .toList();
            }
        }
    }

    /**
     * The JVM flags a benchmark's {@code --sidecar-flags} value names: {@code launcher}, those of
     * {@link #launcherFlags}; {@code none}, the JDK's defaults; anything else, the flags themselves
     * (separated by spaces).
     */
    static List<String> flagsOption(String value, Path jar) throws IOException {
        return switch (value) {
            case "launcher" -> launcherFlags(jar);
            case "none" -> List.of();
            default -> List.of(value.trim().split("\\s+"));
        };
    }

    /** The sidecar's process id. */
    long pid() {
        return process.pid();
    }

    /** Whether a server accepts connections on the Unix socket {@code socket}. */
    static boolean accepts(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
