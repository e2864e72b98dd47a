package dev.flinksidecar.sidecar.rules.running;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleEngineTest {

    @TempDir Path dir;

    @Test
    void resultsComeInEventOrderThenRuleIdOrder() throws IOException {
        TestingRuleJars.threshold(dir, "b-threshold", 100);
        TestingRuleJars.jar(dir, "a-seen", "2.0.0", TestingRuleJars.THROWING, "testrules.Throwing");

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            ResultBatch answer = engine.process(TestingBatches.batch(7, "k1=50", "k2=500"));

            assertThat(answer.getSequence()).isEqualTo(7);
            assertThat(lines(answer, dir))
                    .containsExactly(
                            "{\"rule\":\"a-seen\",\"version\":\"2.0.0\",\"key\":\"k1\",\"time\":1000,\"seen\":true}",
                            "{\"rule\":\"a-seen\",\"version\":\"2.0.0\",\"key\":\"k2\",\"time\":1001,\"seen\":true}",
                            "{\"rule\":\"b-threshold\",\"version\":\"1.0.0\",\"key\":\"k2\",\"time\":1001,\"amount\":500,\"source\":\"threshold\"}");
            assertThat(answer.getResults(0).getEventIndex()).isZero();
            assertThat(answer.getResults(2).getEventIndex()).isEqualTo(1);
            assertThat(answer.getDeadLettersList()).isEmpty();
        }
    }

    @Test
    void aRuleThrowingOnAnEventGivesADeadLetterAndTheSessionGoesOn() throws IOException {
        TestingRuleJars.jar(
                dir, "throwing", "1.0.0", TestingRuleJars.THROWING, "testrules.Throwing");
        TestingRuleJars.threshold(dir, "threshold", 100);

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            ResultBatch answer =
                    engine.process(TestingBatches.batch(1, "ok=200", "bad=300", "after=400"));

            // the throwing rule's result for "bad" (emitted before it threw) is dropped
            assertThat(lines(answer, dir))
                    .containsExactly(
                            "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"ok\",\"time\":1000,\"amount\":200,\"source\":\"threshold\"}",
                            "{\"rule\":\"throwing\",\"version\":\"1.0.0\",\"key\":\"ok\",\"time\":1000,\"seen\":true}",
                            "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"bad\",\"time\":1001,\"amount\":300,\"source\":\"threshold\"}",
                            "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"after\",\"time\":1002,\"amount\":400,\"source\":\"threshold\"}",
                            "{\"rule\":\"throwing\",\"version\":\"1.0.0\",\"key\":\"after\",\"time\":1002,\"seen\":true}");
            DeadLetter failure = answer.getDeadLetters(0);
            assertThat(answer.getDeadLettersCount()).isOne();
            assertThat(failure.getEventIndex()).isEqualTo(1);
            assertThat(answer.getRules(failure.getRule()).getId()).isEqualTo("throwing");
            assertThat(failure.getReason()).isEqualTo("java.lang.IllegalStateException: no amount");

            assertThat(engine.process(TestingBatches.batch(2, "next=1")).getResultsCount()).isOne();
        }
    }

    @Test
    void aRuleSeesOnlyTheJdkAndTheRuleApiAndRunsWithItsOwnContextClassLoader() throws IOException {
        TestingRuleJars.jar(dir, "peeker", "1.0.0", TestingRuleJars.PEEKER, "testrules.Peeker");
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            ResultBatch answer = engine.process(TestingBatches.batch(1, "k=1"));

            assertThat(lines(answer, dir))
                    .containsExactly(
                            "{\"rule\":\"peeker\",\"version\":\"1.0.0\",\"key\":\"k\",\"time\":1000,"
                                    + "\"netty\":false,\"protobuf\":false,\"events\":false,\"sidecar\":false,\"api\":true,\"jdk\":true,"
                                    + "\"openTccl\":true,\"tccl\":true}");
        }
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void eachEngineHasItsOwnInstancesAndListsItsRules() throws IOException {
        TestingRuleJars.threshold(dir, "threshold", 100);

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine first = RuleEngine.open(rules, "one");
                RuleEngine second = RuleEngine.open(rules, "two")) {
            assertThat(first.rules()).isEqualTo(second.rules());
            assertThat(first.rules())
                    .extracting(
                            r ->
                                    TestingVersions.normalisedRef(
                                            r.getId() + "@" + r.getVersion(), dir))
                    .containsExactly("threshold@1.0.0");
            assertThat(first.refusals()).isEmpty();
        }
    }

    @Test
    void aBatchWhoseColumnsDoNotAddUpIsRefused() throws IOException {
        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            EventBatch broken = TestingBatches.batch(1, "k=1").toBuilder().clearTimeDelta().build();
            assertThatThrownBy(() -> engine.process(broken))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * The answer's results as JSON lines, each version's content hash checked against its jar in
     * {@code rulesDir} and stripped.
     */
    static List<String> lines(ResultBatch answer, Path rulesDir) {
        return TestingVersions.normalised(
                answer.getResultsList().stream()
                        .map(r -> ResultJson.toJson(answer.getRules(r.getRule()), r))
                        .collect(Collectors.toList()),
                rulesDir);
    }
}
