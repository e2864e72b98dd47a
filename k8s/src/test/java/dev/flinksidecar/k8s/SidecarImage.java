package dev.flinksidecar.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The sidecar image without a container engine: {@code k8s/target/container/Dockerfile}'s {@code
 * COPY} lines laid out under a temp folder (the image's {@code /}), its exec-form {@code RUN} lines
 * run there with the local Java 17 (the CDS training: the archive is made at the path it is used
 * from, as in the image), and its exec-form {@code ENTRYPOINT} as the command. The shell-form
 * {@code RUN} lines (creating the users) need root and are left out. Made once per test JVM; a path
 * of the image is {@code root + path}.
 */
final class SidecarImage {

    /** Where the image keeps the sidecar (the Dockerfile's paths). */
    static final String HOME = "/opt/flink-sidecar";

    private static final Pattern JSON_FORM = Pattern.compile("^(RUN|ENTRYPOINT)\\s+\\[(.*)]\\s*$");
    private static final Pattern COPY =
            Pattern.compile("^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+(\\S+)\\s*$");
    private static SidecarImage built;

    final Path root;
    final List<String> entrypoint;

    /** How long the image's RUN steps took (the CDS training), for the report. */
    final long buildMillis;

    private SidecarImage(Path root, List<String> entrypoint, long buildMillis) {
        this.root = root;
        this.entrypoint = entrypoint;
        this.buildMillis = buildMillis;
    }

    /** The build context {@code k8s/target/container} (the pom's {@code container.context}). */
    static Path context() {
        Path context =
                Path.of(
                        System.getProperty(
                                "container.context",
                                Kustomize.K8S.resolve("target/container").toString()));
        if (!Files.isRegularFile(context.resolve("Dockerfile"))) {
            throw new AssertionError(
                    "no Docker build context at "
                            + context
                            + ": run the tests through Maven "
                            + "(mvn -pl k8s verify), whose process-test-resources phase assembles it");
        }
        return context;
    }

    /** The image, built on first use into a folder deleted when the JVM exits. */
    static synchronized SidecarImage get() throws IOException, InterruptedException {
        if (built == null) {
            Path root = Files.createTempDirectory("sidecar-image");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TempFiles.deleteQuietly(root)));
            built = build(context(), root);
        }
        return built;
    }

    private static SidecarImage build(Path context, Path root)
            throws IOException, InterruptedException {
        List<String> entrypoint = null;
        long buildMillis = 0;
        for (String line : dockerfileLines(context)) {
            Matcher copy = COPY.matcher(line);
            Matcher json = JSON_FORM.matcher(line);
            if (copy.matches()) {
                copy(context.resolve(copy.group(1)), inImage(root, copy.group(2)));
            } else if (json.matches() && json.group(1).equals("RUN")) {
                long start = System.nanoTime();
                run(root, jsonArray(json.group(2)));
                buildMillis += TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            } else if (json.matches()) {
                entrypoint = jsonArray(json.group(2));
            }
        }
        if (entrypoint == null) {
            throw new AssertionError("the Dockerfile has no exec-form ENTRYPOINT [...]");
        }
        return new SidecarImage(root, entrypoint, buildMillis);
    }

    /** The image's path {@code path} on this machine. */
    Path path(String path) {
        return inImage(root, path);
    }

    /** The entrypoint as a local command. */
    List<String> entrypointCommand() {
        List<String> command = new ArrayList<>();
        command.add(path(entrypoint.get(0)).toString());
        command.addAll(entrypoint.subList(1, entrypoint.size()));
        return command;
    }

    /** The Dockerfile's logical lines (continuations joined, comments left out). */
    static List<String> dockerfileLines(Path context) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(context.resolve("Dockerfile"))) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            if (current.length() > 0) {
                lines.add(current.toString().strip());
            }
            current.setLength(0);
        }
        return lines;
    }

    private static void run(Path root, List<String> command)
            throws IOException, InterruptedException {
        List<String> local = new ArrayList<>(command);
        local.set(0, inImage(root, command.get(0)).toString());
        Path log = Files.createTempFile("image-run", ".log");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(local)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process process = builder.start();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(
                        "RUN "
                                + command
                                + " did not finish within 3 minutes: "
                                + Files.readString(log));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(
                        "RUN "
                                + command
                                + " failed (exit "
                                + process.exitValue()
                                + "): "
                                + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void copy(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Path inImage(Path root, String path) {
        if (!path.startsWith("/")) {
            throw new AssertionError(
                    "the Dockerfile uses a relative path "
                            + path
                            + "; the tests expect absolute ones");
        }
        return root.resolve(path.substring(1));
    }

    /** {@code "a", "b"} (the inside of a JSON array of plain strings) as a list. */
    private static List<String> jsonArray(String inside) {
        List<String> values = new ArrayList<>();
        Matcher string = Pattern.compile("\"([^\"]*)\"").matcher(inside);
        while (string.find()) {
            values.add(string.group(1));
        }
        return values;
    }

    /** Environment for a process of the image: the image's Java is this JVM's. */
    static Map<String, String> environment(Map<String, String> base) {
        base.put("JAVA_HOME", System.getProperty("java.home"));
        return base;
    }
}
