package dev.flinksidecar.job.local;

import dev.flinksidecar.operator.client.SocketConnector;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A sidecar running as a child process: started with {@code serve --socket S --rules-dir D}, its
 * output appended to a log file, ready once its socket accepts a connection, stopped with SIGTERM
 * (the sidecar answers what is in flight, then exits) and killed if it does not stop within a grace
 * period. A JVM shutdown hook stops it too, so Ctrl-C leaves no orphan.
 *
 * <p>One instance is one process. {@link SupervisedSidecar} starts a new one when a child dies.
 * Used by the thread that runs the local job; {@link #close()} is idempotent.
 */
public final class LocalSidecarProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final long POLL_MS = 20;
    private static final int TAIL_LINES = 5;
    private static final int TAIL_BYTES = 8192;

    private final Process process;
    private final Path socket;
    private final Path log;

    /**
     * Where this process's output starts in the log, which earlier processes may have written to.
     */
    private final long logStart;

    /**
     * Null for a child of a {@link SupervisedSidecar}, whose own hook stops whichever child runs.
     */
    private final Thread shutdownHook;

    private LocalSidecarProcess(
            Process process, Path socket, Path log, long logStart, boolean withShutdownHook) {
        this.process = process;
        this.socket = socket;
        this.log = log;
        this.logStart = logStart;
        this.shutdownHook = withShutdownHook ? new Thread(this::stop, "stop-sidecar") : null;
    }

    /**
     * The sidecar's JVM flags, one per line ({@code #} starts a comment line), in the sidecar jar:
     * their only source. The sidecar build writes the same flags into its launcher {@code
     * bin/sidecar}, so a sidecar started here runs as one started by the launcher.
     */
    static final String JVM_FLAGS_RESOURCE = "dev/flinksidecar/sidecar/footprint/jvm-flags";

    /**
     * The class data sharing archive the sidecar build writes beside {@code sidecar.jar}, for that
     * jar.
     */
    static final String CDS_ARCHIVE = "sidecar.jsa";

    /**
     * The folder beside {@code sidecar.jar} that holds Netty's native library, taken out of the jar
     * by the build.
     */
    static final String NATIVE_LIBRARIES = "lib";

    /**
     * Further JVM flags for the sidecar, after the default ones (so they win), as for the launcher.
     */
    static final String JAVA_OPTS_VARIABLE = "SIDECAR_JAVA_OPTS";

    /**
     * The class data sharing archive for a sidecar started from the local jar's class path, which
     * the flink-job build writes beside {@code flink-sidecar-local.jar} (its name with this suffix
     * instead of {@code .jar}). {@code sidecar.jsa} cannot serve: an archive applies to the class
     * path it was made for.
     */
    static final String LOCAL_JAR_SIDECAR_ARCHIVE_SUFFIX = "-sidecar.jsa";

    /**
     * The command that runs the sidecar from this JVM's class path (the local jar holds it), with
     * the sidecar's JVM flags, the sidecar's class data sharing archive for that jar when the class
     * path is one jar with {@code NAME-sidecar.jsa} beside it, and {@code $SIDECAR_JAVA_OPTS}.
     */
    public static List<String> fromClassPath() {
        List<String> command = new ArrayList<>();
        command.add(java());
        try (InputStream flags =
                LocalSidecarProcess.class
                        .getClassLoader()
                        .getResourceAsStream(JVM_FLAGS_RESOURCE)) {
            if (flags == null) {
                throw new IllegalStateException(
                        JVM_FLAGS_RESOURCE
                                + " is not on the class path "
                                + System.getProperty("java.class.path")
                                + ": the sidecar classes are missing or were built before the launcher existed; rebuild");
            }
            command.addAll(parseFlags(new String(flags.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read " + JVM_FLAGS_RESOURCE + " from the class path", e);
        }
        String classPath = System.getProperty("java.class.path");
        command.addAll(archiveFlags(localJarSidecarArchive(classPath)));
        command.addAll(javaOpts());
        command.addAll(List.of("-cp", classPath, "dev.flinksidecar.sidecar.Main"));
        return command;
    }

    /**
     * The command that runs the sidecar from its own runnable jar as its launcher {@code
     * bin/sidecar} does: the JVM flags written in the jar, its class data sharing archive when
     * {@code sidecar.jsa} lies beside it (with {@code -Xshare:auto}, an archive made for another
     * jar or JDK is ignored), Netty's native library from {@code lib/} beside it when there is one,
     * {@code $SIDECAR_JAVA_OPTS}, then {@code -jar sidecar.jar}. A jar without the flags (built
     * before them) runs with the JVM's defaults.
     */
    public static List<String> fromJar(Path sidecarJar) {
        List<String> command = new ArrayList<>();
        command.add(java());
        try (JarFile jar = new JarFile(sidecarJar.toFile())) {
            JarEntry flags = jar.getJarEntry(JVM_FLAGS_RESOURCE);
            if (flags != null) {
                try (InputStream in = jar.getInputStream(flags)) {
                    command.addAll(
                            parseFlags(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the sidecar jar " + sidecarJar.toAbsolutePath(), e);
        }
        command.addAll(archiveFlags(sidecarJar.toAbsolutePath().resolveSibling(CDS_ARCHIVE)));
        Path nativeLibraries = sidecarJar.toAbsolutePath().resolveSibling(NATIVE_LIBRARIES);
        if (Files.isDirectory(nativeLibraries)) {
            command.add("-Djava.library.path=" + nativeLibraries);
        }
        command.addAll(javaOpts());
        command.addAll(List.of("-jar", sidecarJar.toString()));
        return command;
    }

    /**
     * The archive for the sidecar beside a class path that is one jar, {@code NAME.jar}: {@code
     * NAME-sidecar.jsa}; null for any other class path.
     */
    static Path localJarSidecarArchive(String classPath) {
        if (classPath == null
                || classPath.contains(File.pathSeparator)
                || !classPath.endsWith(".jar")) {
            return null;
        }
        Path jar = Path.of(classPath).toAbsolutePath();
        String name = jar.getFileName().toString();
        return jar.resolveSibling(
                name.substring(0, name.length() - ".jar".length())
                        + LOCAL_JAR_SIDECAR_ARCHIVE_SUFFIX);
    }

    /**
     * The flags that use {@code archive} when it exists. With {@code -Xshare:auto} an archive made
     * for another jar or JDK is ignored (the JVM logs a warning and starts without it).
     */
    private static List<String> archiveFlags(Path archive) {
        return archive != null && Files.isRegularFile(archive)
                ? List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto")
                : List.of();
    }

    /** The flags of a jvm-flags file: its lines, trimmed, without blank and comment lines. */
    static List<String> parseFlags(String text) {
        return text.lines()
                .map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    private static List<String> javaOpts() {
        String opts = System.getenv(JAVA_OPTS_VARIABLE);
        return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
    }

    /**
     * Starts {@code command serve --socket socket --rules-dir rulesDir} and waits until the socket
     * accepts, at most {@code timeout}.
     *
     * @throws IOException when the sidecar exits first (with the end of its log) or is not ready in
     *     time
     */
    public static LocalSidecarProcess start(
            List<String> command, Path socket, Path rulesDir, Path log, Duration timeout)
            throws IOException, InterruptedException {
        LocalSidecarProcess sidecar = launch(command, socket, rulesDir, log, true);
        try {
            sidecar.awaitReady(timeout);
            return sidecar;
        } catch (IOException | InterruptedException | RuntimeException e) {
            sidecar.close();
            throw e;
        }
    }

    /** Starts the child and returns at once; its output is appended to {@code log}. */
    static LocalSidecarProcess launch(
            List<String> command, Path socket, Path rulesDir, Path log, boolean withShutdownHook)
            throws IOException {
        List<String> full = new ArrayList<>(command);
        full.addAll(
                List.of(
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--rules-dir",
                        rulesDir.toString()));
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        Process process =
                new ProcessBuilder(full)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        LocalSidecarProcess sidecar =
                new LocalSidecarProcess(process, socket, log, logStart, withShutdownHook);
        if (sidecar.shutdownHook != null) {
            try {
                Runtime.getRuntime().addShutdownHook(sidecar.shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: nothing would stop this child later
                process.destroyForcibly();
                throw e;
            }
        }
        return sidecar;
    }

    /**
     * Waits until the socket accepts.
     *
     * @throws IOException when the child exits first or is not ready within {@code timeout}, with
     *     the end of its log
     */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        if (!awaitReadyOrExit(timeout)) {
            throw new IOException(
                    describeExit()
                            + " before it accepted connections on "
                            + socket
                            + ": "
                            + tail());
        }
    }

    /**
     * Waits until the socket accepts (true) or the child exits (false).
     *
     * @throws IOException when neither happens within {@code timeout}, with the end of the log
     */
    boolean awaitReadyOrExit(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!SocketConnector.accepts(socket)) {
            // waitFor doubles as the pause between attempts and notices an exit at once
            if (process.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "the sidecar (pid "
                                + pid()
                                + ") did not accept connections on "
                                + socket
                                + " within "
                                + timeout.toMillis()
                                + " ms: "
                                + tail());
            }
        }
        return true;
    }

    /** Blocks until the child has exited. */
    void awaitExit() throws InterruptedException {
        process.waitFor();
    }

    /** "the sidecar (pid P) exited with code C (signal N, SIGNAME)"; call once it has exited. */
    String describeExit() {
        return "the sidecar (pid "
                + pid()
                + ") exited with "
                + ExitCodes.describe(process.exitValue());
    }

    /** The process id, for logs. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines this process wrote (not those of earlier processes that shared the log). */
    public String tail() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(logStart, file.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            String tail =
                    String.join(
                            " | ",
                            lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
            return tail.isEmpty() ? "(it wrote nothing)" : tail;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops the sidecar (SIGTERM, then SIGKILL after a grace period), waits for it, and removes the
     * socket files that a killed child leaves behind.
     */
    @Override
    public void close() {
        stop();
        if (!process.isAlive()) {
            removeStaleSocketFiles();
        }
        if (shutdownHook == null) {
            return;
        }
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

    /**
     * Deletes {@code S} and the default admin socket {@code S.admin} when they are sockets nobody
     * accepts on: a child that stops on SIGTERM removes them itself, a killed one cannot. A socket
     * that something accepts on belongs to another sidecar (ours could not bind it) and stays.
     */
    private void removeStaleSocketFiles() {
        for (Path path : List.of(socket, Path.of(socket + ".admin"))) {
            try {
                if (Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                                .isOther()
                        && !SocketConnector.accepts(path)) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                // absent, or not ours to delete: nothing to clean
            }
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
