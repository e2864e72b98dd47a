package dev.flinksidecar.job;

import dev.flinksidecar.job.local.LocalSidecarProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the ITCases find the built artifacts, {@code replay} as a child process and {@code admin}
 * from the sidecar jar.
 *
 * <p>The sidecar jar is {@code sidecar/target/sidecar.jar}; {@code -Dsidecar.jar=PATH} points the
 * tests at another build of it (for example one made from a clean checkout while the module is
 * being changed).
 */
public final class TestSidecars {

    /** The repository root. */
    public static final Path ROOT = projectRoot();

    private TestSidecars() {}

    private static Path copy;

    /**
     * {@code dev.flinksidecar.sidecar.Main.run(PrintWriter, PrintWriter, String...)} of the jar, in
     * its own class loader.
     */
    private static MethodHandle sidecarMain;

    private static ClassLoader sidecarLoader;

    /**
     * The runnable sidecar jar: a private copy, made once per test JVM, so that a rebuild of the
     * sidecar module while the tests run cannot swap classes under a running sidecar.
     */
    public static synchronized Path sidecarJar() throws IOException {
        if (copy == null) {
            String jar = System.getProperty("sidecar.jar");
            Path built =
                    jar != null && !jar.isEmpty()
                            ? Path.of(jar).toAbsolutePath()
                            : ROOT.resolve("sidecar/target/sidecar.jar");
            Path dir = Files.createTempDirectory("sidecar-jar");
            dir.toFile().deleteOnExit();
            copy = Files.copy(built, dir.resolve("sidecar.jar"));
            copy.toFile().deleteOnExit();
        }
        return copy;
    }

    /**
     * The command that runs the sidecar from its jar with {@code java.io.tmpdir} in {@code dir} (a
     * test's own temporary folder): a sidecar that a test kills cannot delete its temporary jar
     * store, and this way the test's cleanup does.
     */
    public static List<String> command(Path dir) throws IOException {
        List<String> command = new ArrayList<>(LocalSidecarProcess.fromJar(sidecarJar()));
        command.add(command.indexOf("-jar"), "-Djava.io.tmpdir=" + dir.toAbsolutePath());
        return command;
    }

    /** An example rule's jar, {@code examples/target/rules/NAME.jar}. */
    public static Path exampleJar(String name) {
        return ROOT.resolve("examples/target/rules/" + name + ".jar");
    }

    /**
     * Copies an example rule's jar into {@code rulesDir} as {@code id.jar} with {@code configJson}
     * as {@code id.json}.
     */
    public static void deploy(Path rulesDir, String example, String id, String configJson)
            throws IOException {
        Files.createDirectories(rulesDir);
        Files.copy(exampleJar(example), rulesDir.resolve(id + ".jar"));
        Files.writeString(rulesDir.resolve(id + ".json"), configJson);
    }

    /**
     * Deploys the windowed scenario's rules into {@code rulesDir}: the {@code windowed-aggregate}
     * example once per config of {@code testdata/windowed/configs}, named after the config.
     *
     * @return the rule ids, sorted
     */
    public static List<String> deployWindowedScenario(Path rulesDir) throws IOException {
        Path configs = ROOT.resolve("testdata/windowed/configs");
        List<String> ids;
        try (Stream<Path> files = Files.list(configs)) {
            ids =
                    files.map(f -> f.getFileName().toString().replace(".json", ""))
                            .sorted()
                            .collect(Collectors.toList());
        }
        for (String id : ids) {
            deploy(
                    rulesDir,
                    "windowed-aggregate",
                    id,
                    Files.readString(configs.resolve(id + ".json")));
        }
        return ids;
    }

    /**
     * Runs {@code java -jar sidecar.jar replay --rules-dir R --input I --output O --late-output L
     * --out-of-orderness D} and waits for it (at most two minutes).
     *
     * @throws IOException when it fails, with its output
     */
    public static void replay(
            Path rulesDir,
            Path input,
            Path output,
            Path lateOutput,
            String outOfOrderness,
            Path log)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:+UseSerialGC",
                                "-jar",
                                sidecarJar().toString(),
                                "replay",
                                "--rules-dir",
                                rulesDir.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                output.toString(),
                                "--late-output",
                                lateOutput.toString(),
                                "--out-of-orderness",
                                outOfOrderness));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(
                    "replay did not finish within 2 minutes: " + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "replay failed (exit " + process.exitValue() + "): " + Files.readString(log));
        }
    }

    /**
     * Runs {@code sidecar admin --socket ADMIN ARGS...} as a user would from a shell, from the
     * sidecar jar, but in this JVM: see {@link #sidecarMain()}.
     *
     * @return what it printed
     * @throws AssertionError when it fails, with its error output
     */
    public static String admin(Path adminSocket, String... args) {
        List<String> command =
                new ArrayList<>(List.of("admin", "--socket", adminSocket.toString()));
        command.addAll(List.of(args));
        return sidecar(command.toArray(new String[0]));
    }

    /**
     * Runs the sidecar's command line ({@code replay ...}, {@code admin ...}) from the sidecar jar
     * in this JVM, see {@link #sidecarMain()}.
     *
     * @return what it printed
     * @throws AssertionError when it fails or exits other than 0, with its error output
     */
    public static String sidecar(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        try {
            MethodHandle main = sidecarMain();
            thread.setContextClassLoader(sidecarLoader);
            exit = (int) main.invokeExact(new PrintWriter(out), new PrintWriter(err), args);
        } catch (Throwable e) {
            throw new AssertionError(String.join(" ", args) + " failed: " + e, e);
        } finally {
            thread.setContextClassLoader(context);
        }
        if (exit != 0) {
            throw new AssertionError(String.join(" ", args) + " exited with " + exit + ": " + err);
        }
        return out.toString();
    }

    /**
     * The sidecar's command line from {@link #sidecarJar()}, in a class loader of its own that
     * shares only the JDK with the tests. Not from this class path: here the operator's jar holds
     * proto and events, linked against its relocated protobuf, and the sidecar's classes (present
     * for the local jar) link against protobuf itself; only the local jar, relocated as a whole,
     * runs them together.
     */
    private static synchronized MethodHandle sidecarMain()
            throws IOException, ReflectiveOperationException {
        if (sidecarMain == null) {
            URLClassLoader loader =
                    new URLClassLoader(
                            "sidecar-jar",
                            new URL[] {sidecarJar().toUri().toURL()},
                            ClassLoader.getPlatformClassLoader());
            Class<?> main = Class.forName("dev.flinksidecar.sidecar.Main", true, loader);
            sidecarMain =
                    MethodHandles.publicLookup()
                            .findStatic(
                                    main,
                                    "run",
                                    MethodType.methodType(
                                            int.class,
                                            PrintWriter.class,
                                            PrintWriter.class,
                                            String[].class))
                            .asFixedArity();
            sidecarLoader = loader;
        }
        return sidecarMain;
    }

    private static Path projectRoot() {
        String root = System.getProperty("project.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return Files.isDirectory(path.resolve("testdata"))
                ? path.toAbsolutePath()
                : Path.of("..").toAbsolutePath();
    }
}
