package dev.flinksidecar.job;

import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.sidecar.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the ITCases find the built artifacts, and {@code replay} as a child process.
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
     * The runnable sidecar jar: a private copy, made once per test JVM, so that a rebuild of the
     * sidecar module while the tests run cannot swap classes under a running sidecar.
     */
    public static synchronized Path sidecarJar() throws IOException {
        if (copy == null) {
            String jar = System.getProperty("sidecar.jar");
            Path built = jar != null && !jar.isEmpty() ? Path.of(jar).toAbsolutePath() : ROOT.resolve("sidecar/target/sidecar.jar");
            Path dir = Files.createTempDirectory("sidecar-jar");
            dir.toFile().deleteOnExit();
            copy = Files.copy(built, dir.resolve("sidecar.jar"));
            copy.toFile().deleteOnExit();
        }
        return copy;
    }

    /**
     * The command that runs the sidecar from its jar with {@code java.io.tmpdir} in {@code dir}
     * (a test's own temporary folder): a sidecar that a test kills cannot delete its temporary
     * jar store, and this way the test's cleanup does.
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

    /** Copies an example rule's jar into {@code rulesDir} as {@code id.jar} with {@code configJson} as {@code id.json}. */
    public static void deploy(Path rulesDir, String example, String id, String configJson) throws IOException {
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
            ids = files.map(f -> f.getFileName().toString().replace(".json", "")).sorted().collect(Collectors.toList());
        }
        for (String id : ids) {
            deploy(rulesDir, "windowed-aggregate", id, Files.readString(configs.resolve(id + ".json")));
        }
        return ids;
    }

    /**
     * Runs {@code java -jar sidecar.jar replay --rules-dir R --input I --output O --late-output L
     * --out-of-orderness D} and waits for it (at most two minutes).
     *
     * @throws IOException when it fails, with its output
     */
    public static void replay(Path rulesDir, Path input, Path output, Path lateOutput, String outOfOrderness, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", sidecarJar().toString(), "replay", "--rules-dir", rulesDir.toString(),
                "--input", input.toString(), "--output", output.toString(), "--late-output", lateOutput.toString(),
                "--out-of-orderness", outOfOrderness));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("replay did not finish within 2 minutes: " + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            throw new IOException("replay failed (exit " + process.exitValue() + "): " + Files.readString(log));
        }
    }

    /**
     * Runs {@code sidecar admin --socket ADMIN ARGS...} in this JVM, as a user would from a shell.
     *
     * @return what it printed
     * @throws AssertionError when it fails, with its error output
     */
    public static String admin(Path adminSocket, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> command = new ArrayList<>(List.of("admin", "--socket", adminSocket.toString()));
        command.addAll(List.of(args));
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), command.toArray(new String[0]));
        if (exit != 0) {
            throw new AssertionError("admin " + String.join(" ", args) + " exited with " + exit + ": " + err);
        }
        return out.toString();
    }

    private static Path projectRoot() {
        String root = System.getProperty("project.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return Files.isDirectory(path.resolve("testdata")) ? path.toAbsolutePath() : Path.of("..").toAbsolutePath();
    }
}
