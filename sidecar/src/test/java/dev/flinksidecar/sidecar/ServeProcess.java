package dev.flinksidecar.sidecar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real sidecar, {@code serve}, as a child process of a test: {@code java -cp <test classpath>
 * ...Main serve ...}, since the shaded jar does not exist yet when tests run. Its output goes to a
 * log file that tests read. (The jar-started sidecar of flink-job's local mode and tests, and the
 * benchmarks' own, are other classes.)
 */
public final class ServeProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ServeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ServeProcess start(Path log, String... args) throws IOException {
        return start(log, List.of(), args);
    }

    /**
     * As {@link #start(Path, String...)} with more JVM options, e.g. {@code
     * -XX:MaxMetaspaceSize=64m}.
     */
    public static ServeProcess start(Path log, List<String> jvmOptions, String... args)
            throws IOException {
        return start(log, List.of(), jvmOptions, args);
    }

    /**
     * As {@link #start(Path, List, String...)} with at most {@code openFiles} open file descriptors
     * (the shell's {@code ulimit -n}, soft and hard, so the JVM cannot raise it).
     */
    public static ServeProcess startWithOpenFileLimit(
            Path log, int openFiles, List<String> jvmOptions, String... args) throws IOException {
        return start(
                log,
                List.of("sh", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "sh"),
                jvmOptions,
                args);
    }

    /**
     * As {@link #start(Path, String...)} with the process's umask set first ({@code sh -c 'umask
     * UMASK; exec java ...'}), e.g. {@code 000}.
     */
    public static ServeProcess startWithUmask(Path log, String umask, String... args)
            throws IOException {
        return start(
                log,
                List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"),
                List.of(),
                args);
    }

    private static ServeProcess start(
            Path log, List<String> wrapper, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        // what the sidecar jar's manifest opens, for the report on leaked
                        // rule classloaders
                        "--add-opens",
                        "java.base/java.lang=ALL-UNNAMED",
                        "--add-opens",
                        "java.sql/java.sql=ALL-UNNAMED",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(), Main.class.getName()));
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new ServeProcess(process, log);
    }

    private static String classpath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank()
                ? surefire
                : System.getProperty("java.class.path");
    }

    /** Waits until the log shows that the sidecar accepts sessions; fails if it exits first. */
    public ServeProcess awaitAccepting() {
        Deadline.await(
                "the sidecar to accept sessions; its log:\n" + logText(),
                Duration.ofSeconds(60),
                () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(
                                "the sidecar exited with "
                                        + process.exitValue()
                                        + "; its log:\n"
                                        + logText());
                    }
                    return logText().contains("accepting sessions on");
                });
        return this;
    }

    /** Waits for the process to exit and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the sidecar did not exit; its log:\n" + logText());
        }
        return process.exitValue();
    }

    /** True while the process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as Kubernetes stops a pod. */
    public void terminate() {
        process.destroy();
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Stops the sidecar: SIGTERM first, so that it removes its sockets and files; forcibly if it
     * lingers.
     */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
