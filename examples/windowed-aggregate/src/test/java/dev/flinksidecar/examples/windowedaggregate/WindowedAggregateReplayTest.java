package dev.flinksidecar.examples.windowedaggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.sidecar.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} (the sidecar's engine, in process) with this rule, packed as a rule jar, over the
 * windowed scenarios of {@code testdata/}: the output must be exactly the expected files, which
 * Flink's own window operator wrote (sidecar's {@code WindowedTestdataTest}).
 */
class WindowedAggregateReplayTest {

    private static final Pattern VERSION =
            Pattern.compile("\"version\":\"([^\"]*?)\\+([0-9a-f]{7})\"");

    @TempDir static Path dir;

    private static Path jar;
    private static Path root;

    @BeforeAll
    static void packTheRule() throws Exception {
        root = projectRoot();
        jar = dir.resolve("windowed-aggregate.jar");
        Path classes =
                Path.of(
                        WindowedAggregateRule.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "1.0.0");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                jarOut.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                jarOut.write(Files.readAllBytes(file));
                jarOut.closeEntry();
            }
        }
    }

    @Test
    void eachWindowedScenarioGivesWhatFlinksWindowOperatorGave() throws IOException {
        Path scenario = root.resolve("testdata/windowed");
        List<Path> configs;
        try (Stream<Path> list = Files.list(scenario.resolve("configs"))) {
            configs =
                    list.filter(p -> p.toString().endsWith(".json"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertThat(configs).isNotEmpty();
        for (Path config : configs) {
            String name = config.getFileName().toString().replace(".json", "");
            Path out = dir.resolve(name + ".jsonl");
            Path late = dir.resolve(name + "-late.jsonl");

            String hash = replay(config, scenario.resolve("events.jsonl"), "1s", out, late);

            assertThat(withoutHash(out, hash))
                    .as(name)
                    .isEqualTo(Files.readAllLines(scenario.resolve("expected/" + name + ".jsonl")));
            assertThat(withoutHash(late, hash))
                    .as(name)
                    .isEqualTo(
                            Files.readAllLines(
                                    scenario.resolve("expected/" + name + "-late.jsonl")));
        }
    }

    @Test
    void theDefaultConfigOverThePaymentsGivesTheExpectedFile() throws IOException {
        Path out = dir.resolve("default.jsonl");
        Path late = dir.resolve("default-late.jsonl");

        String hash =
                replay(
                        root.resolve("examples/windowed-aggregate/windowed-aggregate.json"),
                        root.resolve("testdata/payments.jsonl"),
                        "3s",
                        out,
                        late);

        assertThat(withoutHash(out, hash))
                .isEqualTo(
                        Files.readAllLines(
                                root.resolve("testdata/expected/windowed-aggregate.jsonl")));
        assertThat(late).isEmptyFile();
    }

    /**
     * The file's lines with every version's content hash removed, after checking that each is
     * {@code hash}: expected files name versions without it.
     */
    private static List<String> withoutHash(Path file, String hash) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            Matcher version = VERSION.matcher(line);
            assertThat(version.find()).as("a version with a content hash in %s", line).isTrue();
            assertThat(version.group(2)).as("content hash in %s", line).isEqualTo(hash);
            lines.add(version.replaceFirst("\"version\":\"$1\""));
        }
        return lines;
    }

    /**
     * Runs replay with this rule alone, configured by {@code config}; returns the content hash its
     * results must carry: the first 7 hex digits of SHA-256 over the jar's bytes, then the
     * config's.
     */
    private static String replay(
            Path config, Path input, String outOfOrderness, Path out, Path late)
            throws IOException {
        Path rules = Files.createTempDirectory(dir, "rules");
        String name = config.getFileName().toString().replace(".json", "");
        Files.copy(jar, rules.resolve(name + ".jar"));
        Files.copy(config, rules.resolve(name + ".json"));
        StringWriter err = new StringWriter();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                rules.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                out.toString(),
                                "--late-output",
                                late.toString(),
                                "--out-of-orderness",
                                outOfOrderness));
        int status =
                Main.run(
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true),
                        args.toArray(new String[0]));
        assertThat(err.toString()).as("stderr of replay").startsWith("replay: ");
        assertThat(status).as("exit status of replay").isZero();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(jar));
            sha.update(Files.readAllBytes(config));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 7);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path projectRoot() throws URISyntaxException {
        String configured = System.getProperty("project.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "testdata"))) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("testdata"))
                    && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException(
                "no testdata/ folder above " + Path.of("").toAbsolutePath());
    }
}
