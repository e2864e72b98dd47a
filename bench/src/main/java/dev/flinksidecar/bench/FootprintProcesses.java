package dev.flinksidecar.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The processes of {@link StartupFootprint}: copies of a sidecar build with their own archive,
 * starting and stopping them, waiting until one is ready, and what {@code /proc} says of it.
 */
final class FootprintProcesses {

    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private FootprintProcesses() {}

    /**
     * Starts {@code command} (a leading {@code NAME=VALUE} is set in its environment), output to
     * dir/out.log.
     */
    static Process launch(List<String> command, Path dir) throws IOException {
        List<String> args = new ArrayList<>(command);
        ProcessBuilder builder = new ProcessBuilder();
        if (args.get(0).contains("=") && !args.get(0).startsWith("-")) {
            String[] pair = args.remove(0).split("=", 2);
            builder.environment().put(pair[0], pair[1]);
        }
        return builder.command(args)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start();
    }

    /**
     * Until /health/ready answers 200 (port > 0) or the socket accepts; polls every millisecond.
     * Ready needs the data socket, so /health/ready is asked only once the socket file exists: a
     * request a millisecond while the sidecar starts would cost it CPU (each a 503 answer).
     */
    static void awaitReady(Process process, Path socket, int port, Path dir) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT_NS;
        while (!(port > 0
                ? Files.exists(socket) && "200".equals(httpStatus(port, "/health/ready"))
                : BenchSidecar.accepts(socket))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException(
                        (process.isAlive()
                                        ? "not ready in time"
                                        : "exited with " + process.exitValue())
                                + ": "
                                + Files.readString(dir.resolve("out.log")));
            }
            Thread.sleep(1);
        }
    }

    /** The status code of GET path, or null when nothing accepts on the port yet. */
    static String httpStatus(int port, String path) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream()
                    .write(
                            ("GET "
                                            + path
                                            + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            String answer =
                    new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] statusLine = answer.split(" ", 3);
            return statusLine.length > 1 ? statusLine[1] : null;
        } catch (IOException notYet) {
            return null;
        }
    }

    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /**
     * User plus system CPU time of a process so far, from /proc/PID/stat (clock ticks of 10 ms).
     */
    static double cpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
    }

    /**
     * A copy of the launcher, the jar and {@code lib/} (so that rebuilds during the run change
     * nothing) and, if asked, its own archive: an archive holds the jar's path (Java 17 does not
     * relocate it), so it is made at the copy's path by the sidecar's own training run, as the
     * build and the image do.
     */
    static Path copySidecar(Path built, Path home, boolean archive)
            throws IOException, InterruptedException {
        Files.createDirectories(home.resolve("bin"));
        for (String file : List.of("bin/sidecar", "sidecar.jar")) {
            if (!Files.isRegularFile(built.resolve(file))) {
                throw new IOException(
                        built.resolve(file)
                                + " not found: build the sidecar first (mvn -pl sidecar package)");
            }
            Files.copy(built.resolve(file), home.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        if (Files.isDirectory(
                built.resolve("lib"))) { // Netty's native library, as the build lays it out
            Files.createDirectories(home.resolve("lib"));
            try (Stream<Path> libraries = Files.list(built.resolve("lib"))) {
                for (Path library : (Iterable<Path>) libraries::iterator) {
                    Files.copy(
                            library,
                            home.resolve("lib").resolve(library.getFileName()),
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        if (archive) {
            String jar = home.resolve("sidecar.jar").toString();
            if (!train(home, "-jar", jar, "--cds-training")
                    && Files.readString(home.resolve("training.log"))
                            .contains("Unknown option: '--cds-training'")) {
                // a build from before the training ran through -jar (commit 6bdef25), for
                // --start-build
                train(home, "-cp", jar, "dev.flinksidecar.sidecar.footprint.CdsTraining");
            }
            if (!Files.isRegularFile(home.resolve("sidecar.jsa"))) {
                throw new IOException(
                        "the sidecar's training run failed: "
                                + Files.readString(home.resolve("training.log")));
            }
        }
        return home;
    }

    /**
     * Runs the sidecar's training with {@code launch} (how to start it) and writes
     * HOME/sidecar.jsa; true when it succeeded.
     */
    private static boolean train(Path home, String... launch)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:ArchiveClassesAtExit=" + home.resolve("sidecar.jsa"),
                                "-Xlog:cds=error",
                                "-Djava.library.path=" + home.resolve("lib")));
        command.addAll(List.of(launch));
        Process training =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(home.resolve("training.log").toFile())
                        .start();
        return training.waitFor() == 0;
    }

    static String launcherFlags(Path home) throws IOException {
        return Files.readAllLines(home.resolve("bin/sidecar")).stream()
                .filter(line -> line.startsWith("exec "))
                .findFirst()
                .orElse("?")
                .replace("exec \"$java\" ", "")
                .replace(" \"$@\"", "")
                .trim();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String loadAverage() throws IOException {
        return String.join(
                " ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** GET /metrics once a second while a throughput run lasts (when the sidecar serves HTTP). */
    static final class Scraper implements AutoCloseable {

        private final Thread thread;
        private volatile int scrapes;

        Scraper(int port) {
            thread =
                    new Thread(
                            () -> {
                                try {
                                    while (port > 0) {
                                        Thread.sleep(1000);
                                        if ("200".equals(httpStatus(port, "/metrics"))) {
                                            scrapes++;
                                        }
                                    }
                                } catch (InterruptedException stop) {
                                    // the run is over
                                }
                            },
                            "scraper");
            thread.setDaemon(true);
            thread.start();
        }

        int scrapes() {
            return scrapes;
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }
}
