package dev.flinksidecar.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the start-path work: the packaged sidecar, started by its launcher ({@code bin/sidecar}:
 * its JVM flags, its class data sharing archive, Netty's library from {@code lib/}) as a user
 * starts it, {@code serve} with a rules folder holding a rule jar and its config, logs every class
 * it loads ({@code -Xlog:class+load}); the classes loaded until it logs that it accepts sessions
 * must leave out what each start-path change took off it, and stay within a budget. A change that
 * brings one back fails here with the reason it was taken off. Counted in classes, not
 * milliseconds: the same on any machine.
 *
 * <p>Runs after {@code package} (the {@code packaged-sidecar} execution in the sidecar's POM),
 * which sets {@code sidecar.launcher}; without it, it is skipped.
 *
 * <p>Not guardable by class loading, and so guarded otherwise or not here: Netty's JFR events
 * (their classes load with the first buffers, not before ready: the test checks that the flag
 * reaches the JVM); the epoll selector provider named and the version read from the manifest (each
 * saves a class path search, which loads no class); rule classes from the jar's services files
 * instead of {@code ServiceLoader} (the JDK's own logger lookup, which protobuf's loggers start,
 * loads {@code ServiceLoader} before ready anyway: {@code RuleJarValidationTest} covers the
 * services files).
 */
class StartPathClassesITCase {

    /**
     * Classes loaded until ready, measured with this test (1,863 to 1,869 in five starts on a
     * 2-core machine, Java 17.0.15), plus 15 %: room for small changes, not for a new library.
     */
    private static final int CLASS_BUDGET = 2_150;

    private static final Pattern CLASS_LINE = Pattern.compile("^\\[([^]]+)] (\\S+) source: (.*)$");
    private static final Pattern READY_LINE =
            Pattern.compile("^(\\S+) \\[main] \\[INFO] SidecarServer - accepting sessions on ");
    private static final DateTimeFormatter LOG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    @TempDir Path dir;

    @Test
    void theStartLeavesOutWhatTheStartPathWorkTookOff() throws Exception {
        String launcher = System.getProperty("sidecar.launcher");
        assumeTrue(
                launcher != null && Files.isExecutable(Path.of(launcher)),
                "runs on the packaged sidecar, after package (mvn verify); sidecar.launcher is not set");
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        Path classLog = dir.resolve("classes.log");
        Path output = dir.resolve("sidecar.log");
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        ProcessBuilder builder =
                new ProcessBuilder(
                                launcher,
                                "serve",
                                "--socket",
                                dir.resolve("s.sock").toString(),
                                "--rules-dir",
                                rules.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
        builder.environment()
                .put(
                        "SIDECAR_JAVA_OPTS",
                        "-Xlog:class+load:file=" + classLog + ":utctime -Djava.io.tmpdir=" + tmp);
        Process sidecar = builder.start();
        String commandLine;
        Instant ready;
        try {
            Deadline.await(
                    "the sidecar to accept sessions; its output:\n" + read(output),
                    Duration.ofSeconds(60),
                    () -> {
                        if (!sidecar.isAlive()) {
                            throw new AssertionError(
                                    "the sidecar exited with "
                                            + sidecar.exitValue()
                                            + "; its output:\n"
                                            + read(output));
                        }
                        return readyTime(read(output)) != null;
                    });
            ready = readyTime(read(output));
            commandLine =
                    Files.readString(Path.of("/proc", String.valueOf(sidecar.pid()), "cmdline"))
                            .replace('\0', ' ');
        } finally {
            sidecar.destroy();
            if (!sidecar.waitFor(30, TimeUnit.SECONDS)) {
                sidecar.destroyForcibly().waitFor();
            }
        }

        List<String[]> loaded = classesUntil(classLog, ready); // {name, source}
        List<String> names = new ArrayList<>();
        loaded.forEach(c -> names.add(c[0]));

        assertThat(commandLine)
                .as(
                        "the launcher's JVM flags: Netty 4.2 registering its allocators' JFR events cost ~280 ms of CPU "
                                + "before ready")
                .contains("-Dio.netty.jfr.enabled=false");
        assertThat(commandLine)
                .as("the launcher uses the class data sharing archive")
                .contains("-XX:SharedArchiveFile=");
        assertThat(
                        matching(
                                names,
                                name ->
                                        name.equals("java.security.MessageDigest")
                                                || name.startsWith("sun.security.provider.")))
                .as(
                        "no JCA: rule jars are hashed by the sidecar's own SHA-256 (rules/Sha256); the JCA's first use (its providers, "
                                + "MessageDigest through reflection, SecureRandom's seed) cost ~15 ms of the start")
                .isEmpty();
        assertThat(matching(names, name -> name.equals("java.security.SecureRandom")))
                .as(
                        "no SecureRandom: the artifact store names its folder and files from System.nanoTime (the JCA again)")
                .isEmpty();
        assertThat(matching(names, name -> name.startsWith("picocli.")))
                .as(
                        "no picocli: a plain serve parses its options without picocli's command tree (ServeCommand.plain)")
                .isEmpty();
        assertThat(
                        matching(
                                names,
                                name ->
                                        name.equals("java.text.SimpleDateFormat")
                                                || name.startsWith("org.slf4j.simple.")))
                .as(
                        "no SimpleDateFormat and no slf4j-simple: the sidecar logs through its own SLF4J backend, whose timestamps need "
                                + "no date formatter")
                .isEmpty();
        assertThat(
                        matching(
                                names,
                                name ->
                                        name.equals("java.util.TimeZone")
                                                || name.equals("sun.util.calendar.ZoneInfoFile")
                                                || name.equals("java.time.ZoneRegion")))
                .as(
                        "no time zone: log times are UTC, written without reading the zone database (LogTimestamp)")
                .isEmpty();
        assertThat(matching(names, name -> name.startsWith("com.fasterxml.jackson.")))
                .as(
                        "no jackson: rule configs and self-test events are read by the events module's own JSON readers; jackson-core's "
                                + "first use loads some 70 classes of its own")
                .isEmpty();
        List<String> generated = new ArrayList<>();
        loaded.stream()
                .filter(c -> c[1].equals("__JVM_LookupDefineClass__"))
                .forEach(c -> generated.add(c[0]));
        assertThat(generated)
                .as(
                        "classes generated at run time, which the archive cannot hold: indy string concatenation on the "
                                + "start path generates about 20 (the code before ready joins strings with String.concat)")
                .hasSizeLessThanOrEqualTo(6);
        long archived = loaded.stream().filter(c -> c[1].startsWith("shared objects file")).count();
        assertThat(archived)
                .as(
                        "classes mapped from the class data sharing archive (sidecar.jsa, made at package through -jar): "
                                + "without it the start takes about twice as long")
                .isGreaterThanOrEqualTo(loaded.size() * 95L / 100);
        assertThat(loaded.size())
                .as(
                        "classes loaded until ready (budget: measured + 15 %); a new library on the start path costs "
                                + "start time")
                .isLessThanOrEqualTo(CLASS_BUDGET);
        System.out.printf(
                "StartPathClassesITCase: %d classes loaded until ready, %d from the archive, %d generated%n",
                loaded.size(), archived, generated.size());
    }

    private static List<String> matching(
            List<String> names, java.util.function.Predicate<String> forbidden) {
        List<String> found = new ArrayList<>();
        names.stream().filter(forbidden).forEach(found::add);
        return found;
    }

    /** The classes the log shows loaded up to {@code ready}, each {name, source}. */
    private static List<String[]> classesUntil(Path classLog, Instant ready) throws IOException {
        List<String[]> classes = new ArrayList<>();
        for (String line : Files.readAllLines(classLog, StandardCharsets.UTF_8)) {
            Matcher m = CLASS_LINE.matcher(line);
            if (m.matches()
                    && !OffsetDateTime.parse(m.group(1), LOG_TIME).toInstant().isAfter(ready)) {
                classes.add(new String[] {m.group(2), m.group(3)});
            }
        }
        return classes;
    }

    /** When the sidecar logged that it accepts sessions, or null before it has. */
    private static Instant readyTime(String output) {
        for (String line : output.split("\n")) {
            Matcher m = READY_LINE.matcher(line);
            if (m.find()) {
                return Instant.parse(m.group(1));
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
