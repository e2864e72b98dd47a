package dev.flinksidecar.sidecar.rules.running;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetTest {

    @TempDir Path dir;

    @Test
    void loadsEveryJarWithIdAndVersionFromConfigManifestOrDefault() throws IOException {
        TestingRuleJars.threshold(
                dir, "big-payments", 1000); // no id in config: base name; manifest 1.0.0
        TestingRuleJars.config(dir, "named", "{\"id\": \"fraud\", \"version\": \"2.1.0\"}");
        TestingRuleJars.jar(
                dir, "named", "1.0.0", TestingRuleJars.THRESHOLD, "testrules.Threshold");
        TestingRuleJars.jar(dir, "plain", null, TestingRuleJars.THROWING, "testrules.Throwing");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.refusals()).isEmpty();
            assertThat(rules.rules())
                    .extracting(LoadedRule::id, LoadedRule::version, LoadedRule::jarName)
                    .containsExactly( // ordered by id; each version with the content hash of its
                            // jar and config
                            org.assertj.core.groups.Tuple.tuple(
                                    "big-payments",
                                    TestingVersions.version(
                                            "1.0.0", dir.resolve("big-payments.jar")),
                                    "big-payments.jar"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "fraud",
                                    TestingVersions.version("2.1.0", dir.resolve("named.jar")),
                                    "named.jar"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "plain",
                                    TestingVersions.version(
                                            "unversioned", dir.resolve("plain.jar")),
                                    "plain.jar"));
        }
    }

    @Test
    void refusesAJarWithNoRuleAndKeepsTheOthers() throws IOException {
        TestingRuleJars.threshold(dir, "good", 10);
        TestingRuleJars.jar(dir, "empty", "1.0.0", TestingRuleJars.NOT_A_RULE);

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.rules()).extracting(LoadedRule::id).containsExactly("good");
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .startsWith("rule jar empty.jar has no rule")
                    .contains("META-INF/services/dev.flinksidecar.rule.Rule");
        }
    }

    @Test
    void refusesAJarWhoseRuleClassDoesNotLoad() throws IOException {
        TestingRuleJars.jar(
                dir, "broken", "1.0.0", TestingRuleJars.NOT_A_RULE, "testrules.Missing");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.rules()).isEmpty();
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .startsWith("rule jar broken.jar: a rule class could not be loaded")
                    .contains("testrules.Missing");
        }
    }

    @Test
    void refusesAJarWhoseServiceIsNotARule() throws IOException {
        TestingRuleJars.jar(dir, "wrong", "1.0.0", TestingRuleJars.NOT_A_RULE, "testrules.Helper");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .startsWith("rule jar wrong.jar: a rule class could not be loaded")
                    .contains("testrules.Helper");
        }
    }

    @Test
    void refusesARuleThatThrowsInOpenNamingJarAndCause() throws IOException {
        TestingRuleJars.jar(
                dir, "needs-limit", "1.0.0", TestingRuleJars.FAILING_OPEN, "testrules.FailingOpen");
        TestingRuleJars.threshold(dir, "other", 10);

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.rules()).extracting(LoadedRule::id).containsExactly("other");
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .isEqualTo(
                            "rule jar needs-limit.jar: rule testrules.FailingOpen failed to open: "
                                    + "config field 'limit' is missing; expected a number");
        }
    }

    @Test
    void refusesABrokenConfigNamingIt() throws IOException {
        TestingRuleJars.config(dir, "badconf", "{\"limit\": ");
        TestingRuleJars.jar(
                dir, "badconf", "1.0.0", TestingRuleJars.THRESHOLD, "testrules.Threshold");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .startsWith("rule jar badconf.jar: config badconf.json is not valid JSON");
        }
    }

    @Test
    void refusesASecondJarWithTheSameRuleId() throws IOException {
        TestingRuleJars.threshold(dir, "a", 10);
        TestingRuleJars.config(dir, "b", "{\"id\": \"a\"}");
        TestingRuleJars.jar(dir, "b", "1.0.0", TestingRuleJars.THRESHOLD, "testrules.Threshold");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.rules()).extracting(LoadedRule::jarName).containsExactly("a.jar");
            assertThat(rules.refusals())
                    .extracting(Throwable::getMessage)
                    .containsExactly("rule jar b.jar: rule id 'a' is already used by a.jar");
        }
    }

    @Test
    void refusesAFileThatIsNotAJar() throws IOException {
        Files.writeString(dir.resolve("notes.jar"), "not a zip");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .startsWith("rule jar notes.jar is not a readable jar");
        }
    }

    @Test
    void aMissingDirectoryIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> RuleSet.load(missing))
                .isInstanceOf(IOException.class)
                .hasMessage("rules directory " + missing.toAbsolutePath() + " does not exist");
    }

    @Test
    void anEmptyDirectoryGivesNoRules() throws IOException {
        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.rules()).isEmpty();
            assertThat(rules.refusals()).isEmpty();
            assertThat(rules.rules().stream().map(LoadedRule::id).collect(Collectors.toList()))
                    .isEmpty();
        }
    }
}
