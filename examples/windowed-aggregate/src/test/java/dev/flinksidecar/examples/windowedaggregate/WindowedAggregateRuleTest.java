package dev.flinksidecar.examples.windowedaggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;
import dev.flinksidecar.rule.testing.TestingRuleContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class WindowedAggregateRuleTest {

    private static final Map<String, Object> TUMBLING = Map.of("type", "tumbling", "size", "10s");

    @Test
    void readsItsWindowsLatenessAndFilterFromTheConfig() {
        WindowedAggregateRule rule =
                open(
                        Map.of(
                                "window",
                                Map.of("type", "sliding", "size", "10s", "slide", "5s"),
                                "allowed_lateness",
                                "2s",
                                "aggregate",
                                "sum",
                                "field",
                                "amount",
                                "event_type",
                                "payment"));

        assertThat(rule.windowAssigner())
                .isEqualTo(WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)));
        assertThat(rule.allowedLateness()).isEqualTo(Duration.ofSeconds(2));
        assertThat(rule.filter(payment(1.5))).isTrue();
        assertThat(
                        rule.filter(
                                EventRecord.builder("k", 1)
                                        .type("refund")
                                        .set("amount", 1.5)
                                        .build()))
                .isFalse();
        assertThat(
                        rule.filter(
                                EventRecord.builder("k", 1)
                                        .type("payment")
                                        .set("amount", "1.5")
                                        .build()))
                .as("not a number")
                .isFalse();
        assertThat(rule.filter(EventRecord.builder("k", 1).type("payment").build()))
                .as("no amount")
                .isFalse();
    }

    @Test
    void latenessDefaultsToZeroAndEveryTypeCountsWithoutEventType() {
        WindowedAggregateRule rule = open(Map.of("window", TUMBLING, "aggregate", "count"));

        assertThat(rule.allowedLateness()).isZero();
        assertThat(rule.filter(EventRecord.builder("k", 1).build())).isTrue();
    }

    @Test
    void eachAggregationOverTheSameEvents() {
        assertThat(aggregate("count", 3.0, 1.0, 2L)).isEqualTo(3.0);
        assertThat(aggregate("sum", 3.0, 1.5, 2L)).isEqualTo(6.5);
        assertThat(aggregate("min", 3.0, 1.5, 2L)).isEqualTo(1.5);
        assertThat(aggregate("max", 3.0, 1.5, 2L)).isEqualTo(3.0);
        assertThat(aggregate("avg", 3.0, 1.0, 2L)).isEqualTo(2.0);
    }

    @Test
    void mergingTwoSessionsGivesWhatAddingAllTheirEventsGives() {
        for (String kind : new String[] {"count", "sum", "min", "max", "avg"}) {
            WindowedAggregateRule rule =
                    open(
                            Map.of(
                                    "window",
                                    Map.of("type", "session", "gap", "3s"),
                                    "aggregate",
                                    kind,
                                    "field",
                                    "amount"));
            double[] a = rule.add(payment(4), rule.add(payment(1), rule.createAccumulator()));
            double[] b = rule.add(payment(-2), rule.createAccumulator());
            double[] all =
                    rule.add(
                            payment(-2),
                            rule.add(payment(4), rule.add(payment(1), rule.createAccumulator())));
            assertThat(rule.getResult(rule.merge(a, b))).as(kind).isEqualTo(rule.getResult(all));
        }
    }

    @Test
    void refusesABadConfigNamingTheField() {
        assertThatThrownBy(() -> open(Map.of("aggregate", "sum", "field", "amount")))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'window' is missing");
        assertThatThrownBy(
                        () ->
                                open(
                                        Map.of(
                                                "window",
                                                TUMBLING,
                                                "aggregate",
                                                "median",
                                                "field",
                                                "amount")))
                .hasMessageContaining("expected one of count, sum, min, max, avg");
        assertThatThrownBy(() -> open(Map.of("window", TUMBLING, "aggregate", "sum")))
                .hasMessageContaining("'field' is missing");
        assertThatThrownBy(
                        () ->
                                open(
                                        Map.of(
                                                "window",
                                                Map.of("type", "session"),
                                                "aggregate",
                                                "count")))
                .hasMessageContaining("'window.gap' is missing");
        assertThatThrownBy(
                        () ->
                                open(
                                        Map.of(
                                                "window",
                                                TUMBLING,
                                                "aggregate",
                                                "count",
                                                "allowed_lateness",
                                                "soon")))
                .hasMessageContaining("allowed_lateness");
    }

    @Test
    void isFoundAsAWindowedRuleAndItsAccumulatorsRoundTrip() throws Exception {
        assertThat(
                        ServiceLoader.load(WindowedRule.class).stream()
                                .map(ServiceLoader.Provider::type))
                .contains(WindowedAggregateRule.class);
        WindowedAggregateRule rule =
                open(Map.of("window", TUMBLING, "aggregate", "avg", "field", "amount"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        rule.accumulatorCodec()
                .write(
                        rule.add(payment(2.5), rule.createAccumulator()),
                        new DataOutputStream(bytes));
        double[] back =
                rule.accumulatorCodec()
                        .read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back).containsExactly(2.5, 1.0);
    }

    private static double aggregate(String kind, double first, double second, long third) {
        WindowedAggregateRule rule =
                open(Map.of("window", TUMBLING, "aggregate", kind, "field", "amount"));
        double[] acc = rule.createAccumulator();
        acc = rule.add(payment(first), acc);
        acc = rule.add(payment(second), acc);
        acc =
                rule.add(
                        EventRecord.builder("k", 1).type("payment").set("amount", third).build(),
                        acc);
        return rule.getResult(acc);
    }

    private static WindowedAggregateRule open(Map<String, ?> config) {
        WindowedAggregateRule rule = new WindowedAggregateRule();
        rule.open(new TestingRuleContext("windowed-aggregate", new HashMap<>(config)));
        return rule;
    }

    private static Event payment(double amount) {
        return EventRecord.builder("k", 1).type("payment").set("amount", amount).build();
    }
}
