package dev.flinksidecar.sidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.UntrustedRuleFiles;
import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import dev.flinksidecar.sidecar.rules.loading.JarLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watched rules directory, one poll at a time: what settles is deployed, what is still written
 * is not.
 */
class RulesDirectoryWatcherTest {

    private static byte[] echo;

    @TempDir Path dir;

    private Path rulesDir;
    private TestingRegistry rules;
    private RulesDirectoryWatcher watcher;

    @BeforeAll
    static void buildJar() throws IOException {
        echo =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes();
    }

    @BeforeEach
    void setUp() throws IOException {
        rulesDir = Files.createDirectory(dir.resolve("rules"));
        rules = new TestingRegistry(dir);
        watcher = new RulesDirectoryWatcher(rulesDir, rules.registry);
    }

    @AfterEach
    void tearDown() {
        rules.close();
    }

    @Test
    void atStartEveryJarIsDeployedAndASecondJarWithTheSameIdIsRefused() throws IOException {
        Files.write(rulesDir.resolve("a.jar"), echo);
        Files.write(rulesDir.resolve("b.jar"), echo);
        Files.writeString(rulesDir.resolve("b.json"), "{\"id\": \"a\"}");
        Files.writeString(rulesDir.resolve(".hidden.jar"), "ignored");
        Files.writeString(rulesDir.resolve("notes.txt"), "ignored");

        List<DeployOutcome> outcomes = watcher.loadAll();

        assertThat(outcomes)
                .extracting(DeployOutcome::message)
                .containsExactly(
                        "deployed a 1.0.0+"
                                + ContentHash.of(echo, null)
                                + ": active (per-event rule, each session switches at its next batch)",
                        "rule jar b.jar: rule id 'a' is already used by a.jar");
        assertThat(active()).containsExactly("a@1.0.0+" + ContentHash.of(echo, null));
        assertThat(rules.status("a").getSource()).isEqualTo("rules-dir a.jar");
    }

    @Test
    void aJarStillBeingWrittenIsNotPickedUpUntilItHasSettled() throws IOException {
        Path jar = rulesDir.resolve("echo.jar");
        int half = echo.length / 2;
        Files.write(jar, Arrays.copyOf(echo, half));
        assertThat(watcher.poll()).as("first sight").isEmpty();
        append(jar, half, half + 100);
        assertThat(watcher.poll()).as("grew since the last poll").isEmpty();
        append(jar, half + 100, echo.length);
        assertThat(watcher.poll()).as("grew again").isEmpty();
        assertThat(rules.registry.status()).isEmpty();

        assertThat(watcher.poll())
                .as("the same at two polls")
                .extracting(DeployOutcome::ok)
                .containsExactly(true);
        assertThat(active()).containsExactly("echo@1.0.0+" + ContentHash.of(echo, null));
        assertThat(watcher.poll()).as("nothing new").isEmpty();
    }

    @Test
    void aHalfWrittenJarWhoseWriterStallsIsRefusedAndTheActiveVersionKeepsRunningUntilItIsComplete()
            throws IOException {
        Path jar = rulesDir.resolve("echo.jar");
        Files.write(jar, echo);
        watcher.loadAll();
        byte[] next =
                RuleJarBuilder.jar("echo")
                        .version("2.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes();

        Files.write(jar, Arrays.copyOf(next, next.length / 2));
        watcher.poll();
        List<DeployOutcome> stalled = watcher.poll();

        assertThat(stalled)
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.ok()).isFalse();
                            assertThat(o.message())
                                    .startsWith("rule jar echo.jar is not a readable jar");
                        });
        assertThat(active()).containsExactly("echo@1.0.0+" + ContentHash.of(echo, null));
        assertThat(rules.registry.refusals())
                .extracting(r -> r.getSource())
                .containsExactly("rules-dir echo.jar");

        append(jar, next.length / 2, next.length, next);
        watcher.poll();
        assertThat(watcher.poll()).extracting(DeployOutcome::ok).containsExactly(true);
        assertThat(active()).containsExactly("echo@2.0.0+" + ContentHash.of(next, null));
    }

    @Test
    void aChangedConfigDeploysAgainAndARemovedJarRemovesItsRule() throws IOException {
        Files.write(rulesDir.resolve("echo.jar"), echo);
        watcher.loadAll();
        Files.writeString(rulesDir.resolve("echo.json"), "{\"n\": 7}");
        watcher.poll();
        assertThat(watcher.poll()).extracting(DeployOutcome::ok).containsExactly(true);
        assertThat(active())
                .containsExactly(
                        "echo@1.0.0+"
                                + ContentHash.of(
                                        echo, "{\"n\": 7}".getBytes(StandardCharsets.UTF_8)));

        Files.delete(rulesDir.resolve("echo.jar"));
        assertThat(watcher.poll()).as("gone at one poll only").isEmpty();
        assertThat(watcher.poll())
                .extracting(DeployOutcome::message)
                .containsExactly("removed echo: active (each session switches at its next batch)");
        assertThat(rules.registry.status()).isEmpty();
    }

    @Test
    void anAdminDeployOfARuleFromTheDirectoryIsNotUndoneWhenItsFileLeaves() throws IOException {
        Files.write(rulesDir.resolve("echo.jar"), echo);
        watcher.loadAll();
        rules.deploy("echo.jar", echo, "{\"n\": 2}");
        Files.delete(rulesDir.resolve("echo.jar"));
        watcher.poll();
        watcher.poll();

        assertThat(active()).hasSize(1);
        assertThat(rules.status("echo").getSource()).isEqualTo("admin echo.jar");
    }

    @Test
    void anErrorWhileOneFileLoadsRefusesThatFileAndLaterFilesStillDeploy() throws IOException {
        Files.write(
                rulesDir.resolve("greedy.jar"),
                RuleJarBuilder.jar("greedy")
                        .version("1.0.0")
                        .source(GREEDY)
                        .rules("testrules.Greedy")
                        .bytes());
        UntrustedRuleFiles.zipBomb(rulesDir, "bomb", echo, 200L * 1024 * 1024);
        Files.write(rulesDir.resolve("deep.jar"), echo);
        Files.writeString(rulesDir.resolve("deep.json"), UntrustedRuleFiles.deepConfig(200_000));

        List<DeployOutcome> outcomes = watcher.loadAll();

        assertThat(outcomes).noneMatch(DeployOutcome::ok);
        assertThat(outcomes)
                .extracting(DeployOutcome::message)
                .satisfiesExactly(
                        bomb ->
                                assertThat(bomb)
                                        .startsWith(
                                                "rule jar bomb.jar refused: entry data/zeros.bin inflates"),
                        deep ->
                                assertThat(deep)
                                        .contains("config deep.json is not valid JSON")
                                        .contains("nested deeper than 64 levels"),
                        greedy ->
                                assertThat(greedy)
                                        .isEqualTo(
                                                "rule jar greedy.jar refused: loading it failed with "
                                                        + "java.lang.OutOfMemoryError: the rule's heap"));
        assertThat(rules.registry.refusals()).hasSize(3);

        Files.write(rulesDir.resolve("echo.jar"), echo);
        watcher.poll();
        assertThat(watcher.poll()).extracting(DeployOutcome::ok).containsExactly(true);
        assertThat(active()).containsExactly("echo@1.0.0+" + ContentHash.of(echo, null));
    }

    @Test
    void aJarOverTheJarLimitIsRefusedBeforeItIsRead() throws IOException {
        try (TestingRegistry small =
                new TestingRegistry(
                        dir.resolve("small"),
                        new JarLimits(echo.length - 1, 1 << 20, 1 << 20, 100))) {
            RulesDirectoryWatcher smallWatcher =
                    new RulesDirectoryWatcher(rulesDir, small.registry);
            Files.write(rulesDir.resolve("echo.jar"), echo);

            assertThat(smallWatcher.loadAll())
                    .extracting(DeployOutcome::message)
                    .containsExactly(
                            "rule jar echo.jar is too large: "
                                    + echo.length
                                    + " bytes, over the limit of "
                                    + (echo.length - 1)
                                    + " bytes (sidecar.rules.max-jar-bytes)");
        }
    }

    @Test
    void aConfigOverOneMebibyteIsRefusedBeforeItIsRead() throws IOException {
        Files.write(rulesDir.resolve("echo.jar"), echo);
        Files.writeString(
                rulesDir.resolve("echo.json"), "{\"pad\": \"" + "x".repeat(1024 * 1024) + "\"}");

        assertThat(watcher.loadAll())
                .extracting(DeployOutcome::message)
                .containsExactly(
                        "rule jar echo.jar: config echo.json is too large: 1048587 bytes, over the "
                                + "limit of 1048576 bytes for a rule config");
    }

    /** A rule whose open runs out of memory, as one that allocates without bound would. */
    private static final String GREEDY =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Greedy implements Rule {\n"
                    + "  public void open(RuleContext context) { throw new OutOfMemoryError(\"the rule's heap\"); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) {}\n"
                    + "}\n";

    private List<String> active() {
        return rules.registry.status().stream()
                .filter(RuleStatus::hasActive)
                .map(r -> r.getId() + "@" + r.getActive().getVersion())
                .collect(Collectors.toList());
    }

    private static void append(Path file, int from, int to) throws IOException {
        append(file, from, to, echo);
    }

    private static void append(Path file, int from, int to, byte[] bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            out.write(bytes, from, to - from);
        }
    }
}
