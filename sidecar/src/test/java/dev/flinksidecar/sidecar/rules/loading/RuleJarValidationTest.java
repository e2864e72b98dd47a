package dev.flinksidecar.sidecar.rules.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.rule.RuleApi;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a rule jar is refused, each with its own message; and what passes. */
class RuleJarValidationTest {

    private static final String EVENTS =
            "{\"key\":\"a\",\"time\":1000,\"amount\":5}\n{\"key\":\"b\",\"time\":2000,\"amount\":7}\n";

    @TempDir Path dir;

    private final List<URLClassLoader> refusedLoaders = new ArrayList<>();

    @Test
    void aJarWithNoRuleIsRefused() throws IOException {
        Path jar =
                RuleJarBuilder.jar("empty")
                        .version("1.0.0")
                        .source(TestingRuleJars.NOT_A_RULE)
                        .writeTo(dir);

        assertRefused(jar)
                .startsWith(
                        "rule jar empty.jar has no rule: it needs a file META-INF/services/dev.flinksidecar.rule.Rule");
    }

    @Test
    void aRuleThatThrowsInOpenIsRefusedWithTheExceptionAndItsStack() throws IOException {
        Path jar =
                RuleJarBuilder.jar("connect")
                        .version("1.0.0")
                        .source(SwapRules.FAILS_TO_CONNECT)
                        .rules("testrules.FailsToConnect")
                        .writeTo(dir);

        RuleLoadException refusal = refusal(jar);
        assertThat(refusal.getMessage())
                .isEqualTo(
                        "rule jar connect.jar: rule testrules.FailsToConnect failed to open: "
                                + "java.lang.IllegalStateException: cannot reach the fraud database");
        assertThat(refusal.detail())
                .startsWith("java.lang.IllegalStateException: cannot reach the fraud database\n")
                .contains("//testrules.FailsToConnect.connect(FailsToConnect.java:5)\n") // frames
                // name the
                // version's
                // loader
                // first
                .contains("//testrules.FailsToConnect.open(FailsToConnect.java:4)\n")
                .doesNotContain("dev.flinksidecar.sidecar");
        assertThat(refusedLoaders)
                .as("the refused jar's loader is handed over for the leak watch")
                .hasSize(1);
    }

    @Test
    void aJarBuiltForAnotherMajorApiVersionIsRefused() throws IOException {
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .manifest(RuleApi.MANIFEST_ATTRIBUTE, "2.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .writeTo(dir);

        assertRefused(jar)
                .isEqualTo(
                        "rule jar echo.jar is incompatible: it was built for rule API 2.0, and this sidecar runs rule API "
                                + RuleApi.VERSION
                                + " (another major version); rebuild it against rule-api 1.x");
    }

    @Test
    void theServicesFileIsReadAsServiceLoaderReadsItCommentsBlanksAndRepeatsLeftOut()
            throws Exception {
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .resource(
                                "META-INF/services/dev.flinksidecar.rule.Rule",
                                "# the rules of this jar\n\n  testrules.Echo  # the only one\r\ntestrules.Echo\n")
                        .writeTo(dir);

        try (RuleJar loaded = RuleJar.load(jar)) {
            assertThat(loaded.rules())
                    .extracting(LoadedRule::className)
                    .containsExactly("testrules.Echo");
        }
    }

    @Test
    void aServicesFileNamingAClassThatIsNotARuleIsRefusedNamingIt() throws IOException {
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO, TestingRuleJars.NOT_A_RULE)
                        .rules("testrules.Echo", "testrules.Helper")
                        .writeTo(dir);

        assertRefused(jar)
                .isEqualTo(
                        "rule jar echo.jar: a rule class could not be loaded: testrules.Helper does not implement "
                                + "dev.flinksidecar.rule.Rule (META-INF/services/dev.flinksidecar.rule.Rule)");
    }

    @Test
    void aJarOfTheSameMajorVersionPasses() throws Exception {
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .manifest(RuleApi.MANIFEST_ATTRIBUTE, "1.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .writeTo(dir);

        try (RuleJar loaded = RuleJar.load(jar)) {
            assertThat(loaded.rules())
                    .extracting(LoadedRule::className)
                    .containsExactly("testrules.Echo");
        }
    }

    @Test
    void aJarCompiledAgainstAnApiWithAMethodThisOneLacksIsRefusedBeforeItRuns() throws IOException {
        Path jar =
                RuleJarBuilder.jar("regional")
                        .version("1.0.0")
                        .source(SwapRules.FOREIGN_RULE_CONTEXT, SwapRules.REGIONAL)
                        .rules("testrules.Regional")
                        .leaveOut("dev/")
                        .writeTo(dir);

        assertRefused(jar)
                .isEqualTo(
                        "rule jar regional.jar is incompatible with this sidecar's rule API "
                                + RuleApi.VERSION
                                + ": it uses method dev.flinksidecar.rule.RuleContext.region() returning String, which this API does not have; "
                                + "was it compiled against another rule-api version?");
    }

    @Test
    void aRuleClassThatDoesNotImplementItsInterfaceIsRefused() throws IOException {
        String foreignRule =
                "package dev.flinksidecar.rule;\n"
                        + "public interface Rule extends AutoCloseable {\n"
                        + "  default void open(RuleContext context) throws Exception {}\n"
                        + "  default void onEvent(Event event, ResultCollector out) throws Exception {}\n"
                        + "  default void close() throws Exception {}\n"
                        + "}\n";
        String lazy =
                "package testrules;\npublic final class Lazy implements dev.flinksidecar.rule.Rule {}\n";
        Path jar =
                RuleJarBuilder.jar("lazy")
                        .version("1.0.0")
                        .source(foreignRule, lazy)
                        .rules("testrules.Lazy")
                        .leaveOut("dev/")
                        .writeTo(dir);

        assertRefused(jar)
                .startsWith(
                        "rule jar lazy.jar is incompatible with this sidecar's rule API "
                                + RuleApi.VERSION
                                + ": it uses method dev.flinksidecar.rule.Rule.onEvent(Event, ResultCollector) is not implemented by testrules.Lazy");
    }

    @Test
    void aFailingSelfTestIsRefusedWithTheDifferences() throws IOException {
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .resource("META-INF/sidecar/selftest.jsonl", EVENTS)
                        .resource(
                                "META-INF/sidecar/selftest-expected.jsonl",
                                "{\"rule\":\"echo\",\"key\":\"a\",\"time\":1000,\"n\":0}\n{\"rule\":\"echo\",\"key\":\"b\",\"time\":2000,\"n\":1}\n")
                        .writeTo(dir);

        RuleLoadException refusal = refusal(jar);
        assertThat(refusal.getMessage())
                .isEqualTo(
                        "rule jar echo.jar: self-test failed: 1 of 2 results differ (expected 2 results, got 2), the first at result 2");
        assertThat(refusal.detail())
                .isEqualTo(
                        "result 2:\n"
                                + "  expected {\"rule\":\"echo\",\"key\":\"b\",\"time\":2000,\"n\":1}\n"
                                + "  got      {\"rule\":\"echo\",\"version\":\"1.0.0+"
                                + ContentHash.of(Files.readAllBytes(jar), null)
                                + "\",\"key\":\"b\",\"time\":2000,\"n\":0}\n");
    }

    @Test
    void aPassingSelfTestRunsWithItsOwnConfigAndComparesByValue() throws Exception {
        TestingRuleJars.config(dir, "echo", "{\"n\": 5}");
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .resource("META-INF/sidecar/selftest.jsonl", EVENTS)
                        .resource("META-INF/sidecar/selftest-config.json", "{\"n\": 3}")
                        .resource(
                                "META-INF/sidecar/selftest-expected.jsonl",
                                "{\"n\":3.0,\"key\":\"a\",\"time\":1000}\n{\"key\":\"b\",\"time\":2000,\"n\":3}\n")
                        .writeTo(dir);

        try (RuleJar loaded = RuleJar.load(jar)) {
            assertThat(loaded.rules().get(0).version()).isEqualTo(loaded.artifact().version());
        }
    }

    @Test
    void aSelfTestWithoutExpectedResultsIsRefused() throws IOException {
        Path jar =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .resource("META-INF/sidecar/selftest.jsonl", EVENTS)
                        .writeTo(dir);

        assertRefused(jar)
                .isEqualTo(
                        "rule jar echo.jar: self-test: the jar has META-INF/sidecar/selftest.jsonl "
                                + "but no META-INF/sidecar/selftest-expected.jsonl");
    }

    @Test
    void aJarWithADamagedEntryIsRefusedAsCorrupt() throws IOException {
        byte[] bytes =
                RuleJarBuilder.damaged(
                        RuleJarBuilder.jar("echo")
                                .version("1.0.0")
                                .source(SwapRules.ECHO)
                                .rules("testrules.Echo")
                                .bytes(),
                        "testrules/Echo.class");
        Path jar = Files.write(dir.resolve("echo.jar"), bytes);

        assertRefused(jar).startsWith("rule jar echo.jar is corrupt: entry testrules/Echo.class");
    }

    @Test
    void aJarCutShortIsRefusedAsUnreadable() throws IOException {
        byte[] bytes =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes();
        Path jar = Files.write(dir.resolve("echo.jar"), Arrays.copyOf(bytes, bytes.length / 2));

        assertRefused(jar)
                .startsWith("rule jar echo.jar is not a readable jar: java.util.zip.ZipException");
    }

    private org.assertj.core.api.AbstractStringAssert<?> assertRefused(Path jar) {
        return assertThat(refusal(jar).getMessage());
    }

    private RuleLoadException refusal(Path jar) {
        try {
            RuleJar.load(RuleArtifact.read(jar, "test"), refusedLoaders::add).close();
        } catch (RuleLoadException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError(jar.getFileName() + " was not refused");
    }
}
