package dev.flinksidecar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo command, as a user runs it: {@code java
 * -XX:SharedArchiveFile=flink-sidecar-local.jsa -jar flink-sidecar-local.jar} over {@code
 * testdata/} with the example rules, and the class data sharing archives the build writes for it.
 * Lives here because this module builds after the local jar is packaged; the flink-job tests run
 * before it exists.
 */
class LocalJarDemoITCase {

    @TempDir Path dir;

    @Test
    void theDemoRunsFromTheLocalJar() throws Exception {
        Path root = root();
        Path output = dir.resolve("demo");
        Path log = dir.resolve("demo.log");
        Process demo =
                new ProcessBuilder(
                                java(),
                                "-XX:SharedArchiveFile="
                                        + root.resolve("flink-job/target/flink-sidecar-local.jsa"),
                                "-jar",
                                root.resolve("flink-job/target/flink-sidecar-local.jar").toString(),
                                "--input",
                                root.resolve("testdata/payments.jsonl").toString(),
                                "--rules-dir",
                                root.resolve("examples/target/rules").toString(),
                                "--output",
                                output.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            assertThat(demo.waitFor(240, TimeUnit.SECONDS)).as("the demo finishes").isTrue();
        } finally {
            demo.destroyForcibly();
        }
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(demo.exitValue()).as(printed).isZero();
        assertThat(printed)
                .contains("events in:    12000 (and 4 malformed lines)", "dead letters: 4");

        List<String> results = lines(output.resolve("results"));
        assertThat(results.stream().filter(l -> l.startsWith("{\"rule\":\"threshold\"")))
                .hasSize(
                        Files.readAllLines(root.resolve("testdata/expected/threshold.jsonl"))
                                .size());
        assertThat(results.stream().filter(l -> l.startsWith("{\"rule\":\"merchant-watch\"")))
                .hasSize(
                        Files.readAllLines(root.resolve("testdata/expected/merchant-watch.jsonl"))
                                .size());
        assertThat(lines(output.resolve("dead-letters"))).hasSize(4);
    }

    /**
     * Both archives map for the jar they were made for: with {@code -Xshare:on} a JVM refuses to
     * start on an archive it cannot use (made for another jar or JDK), where the demo's {@code
     * -Xshare:auto} would start without it, only slower.
     */
    @Test
    void theLocalJarsArchivesServeTheJobAndItsSidecar() throws Exception {
        Path target = root().resolve("flink-job/target");
        String jar = target.resolve("flink-sidecar-local.jar").toString();
        assertStarts(
                java(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + target.resolve("flink-sidecar-local.jsa"),
                "-jar",
                jar,
                "--help");
        assertStarts(
                java(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + target.resolve("flink-sidecar-local-sidecar.jsa"),
                "-cp",
                jar,
                "dev.flinksidecar.sidecar.Main",
                "--version");
    }

    private void assertStarts(String... command) throws Exception {
        Path log = Files.createTempFile(dir, "start", ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("it ends").isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue())
                .as(String.join(" ", command) + "\n" + Files.readString(log))
                .isZero();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> lines(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .flatMap(
                            p -> {
                                try {
                                    return Files.readAllLines(p).stream();
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            })
                    .collect(Collectors.toList());
        }
    }

    private static Path root() {
        String configured = System.getProperty("project.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "testdata"))) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of("..").toAbsolutePath().normalize();
    }
}
