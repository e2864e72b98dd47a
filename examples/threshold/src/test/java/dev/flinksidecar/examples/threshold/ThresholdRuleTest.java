package dev.flinksidecar.examples.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.testing.TestingEvent;
import dev.flinksidecar.rule.testing.TestingRuleContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ThresholdRuleTest {

    private static List<Result> run(Map<String, ?> config, Event... events) throws Exception {
        ThresholdRule rule = new ThresholdRule();
        rule.open(new TestingRuleContext("threshold", config));
        List<Result> results = new ArrayList<>();
        for (Event event : events) {
            rule.onEvent(event, results::add);
        }
        rule.close();
        return results;
    }

    private static List<Result> run(Event... events) throws Exception {
        return run(Map.of("id", "threshold", "field", "amount", "limit", 1000L), events);
    }

    @Test
    void doubleAboveTheLimitGivesOneResultWithTheEventsKeyTimeAndValue() throws Exception {
        List<Result> results =
                run(
                        TestingEvent.of("card-0042", 1767225600123L)
                                .with("merchant", "Acme")
                                .with("amount", 1250.5));

        assertThat(results).hasSize(1);
        Result result = results.get(0);
        assertThat(result.key()).isEqualTo("card-0042");
        assertThat(result.time()).isEqualTo(1767225600123L);
        assertThat(result.attributeCount()).isEqualTo(1);
        assertThat(result.attributeName(0)).isEqualTo("value");
        assertThat(result.attributeType(0)).isEqualTo(AttributeType.DOUBLE);
        assertThat(result.doubleAt(0)).isEqualTo(1250.5);
    }

    @Test
    void longValueStaysALong() throws Exception {
        List<Result> results = run(TestingEvent.of("k", 1L).with("amount", 1001L));

        assertThat(results).hasSize(1);
        assertThat(results.get(0).attributeType(0)).isEqualTo(AttributeType.LONG);
        assertThat(results.get(0).longAt(0)).isEqualTo(1001L);
    }

    @Test
    void valuesAtOrBelowTheLimitGiveNothing() throws Exception {
        assertThat(
                        run(
                                TestingEvent.of("k", 1L).with("amount", 1000L),
                                TestingEvent.of("k", 2L).with("amount", 1000.0),
                                TestingEvent.of("k", 3L).with("amount", 999.99),
                                TestingEvent.of("k", 4L).with("amount", -5000L)))
                .isEmpty();
    }

    @Test
    void eventsWithoutANumericFieldGiveNothing() throws Exception {
        assertThat(
                        run(
                                TestingEvent.of("k", 1L).with("merchant", "Acme"),
                                TestingEvent.of("k", 2L).with("amount", "5000"),
                                TestingEvent.of("k", 3L).with("amount", true),
                                TestingEvent.of("k", 4L).with("amount", Double.NaN),
                                TestingEvent.of("k", 5L).with("Amount", 5000.0)))
                .isEmpty();
    }

    @Test
    void resultsFollowTheEventOrder() throws Exception {
        List<Result> results =
                run(
                        TestingEvent.of("a", 3L).with("amount", 2000.0),
                        TestingEvent.of("b", 1L).with("amount", 10.0),
                        TestingEvent.of("c", 2L).with("amount", 3000L));

        assertThat(results).extracting(Result::key).containsExactly("a", "c");
    }

    @Test
    void usesTheConfiguredFieldAndAFractionalLimit() throws Exception {
        List<Result> results =
                run(
                        Map.of("field", "score", "limit", 0.5),
                        TestingEvent.of("k", 1L).with("amount", 5000.0).with("score", 0.75),
                        TestingEvent.of("k", 2L).with("score", 1L),
                        TestingEvent.of("k", 3L).with("score", 0.5));

        assertThat(results).extracting(r -> r.valueAt(0)).containsExactly(0.75, 1L);
    }

    @Test
    void comparesLongsWithAnIntegralLimitExactly() throws Exception {
        long limit = 1L << 53; // (double) (limit + 1) == (double) limit
        List<Result> results =
                run(
                        Map.of("field", "amount", "limit", limit),
                        TestingEvent.of("k", 1L).with("amount", limit + 1),
                        TestingEvent.of("k", 2L).with("amount", limit));

        assertThat(results).extracting(r -> r.longAt(0)).containsExactly(limit + 1);
    }

    @Test
    void missingOrMistypedConfigIsRefusedNamingTheField() {
        ThresholdRule rule = new ThresholdRule();
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "threshold", Map.of("limit", 1000L))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'field'")
                .hasMessageContaining("missing");
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "threshold", Map.of("field", "amount"))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'limit'")
                .hasMessageContaining("missing");
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "threshold",
                                                Map.of("field", "amount", "limit", "1000"))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'limit'")
                .hasMessageContaining("expected a number");
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "threshold", Map.of("field", 7L, "limit", 1000L))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'field'");
    }

    @Test
    void isFoundThroughServiceLoader() {
        assertThat(ServiceLoader.load(Rule.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(ThresholdRule.class);
    }
}
