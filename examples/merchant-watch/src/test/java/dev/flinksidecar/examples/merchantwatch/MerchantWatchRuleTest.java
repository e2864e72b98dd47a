package dev.flinksidecar.examples.merchantwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.testing.TestingEvent;
import dev.flinksidecar.rule.testing.TestingRuleContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MerchantWatchRuleTest {

    private static final Map<String, Object> CONFIG =
            Map.of(
                    "id", "merchant-watch",
                    "merchants", List.of("Lucky Star Casino", "QuickCash Exchange"),
                    "countries", List.of("BR", "TH"));

    private static List<Result> run(Map<String, ?> config, Event... events) throws Exception {
        MerchantWatchRule rule = new MerchantWatchRule();
        rule.open(new TestingRuleContext("merchant-watch", config));
        List<Result> results = new ArrayList<>();
        for (Event event : events) {
            rule.onEvent(event, results::add);
        }
        rule.close();
        return results;
    }

    /** A result as "key@time name=value name=value ...", attributes in their order. */
    private static String describe(Result r) {
        StringBuilder text = new StringBuilder(r.key()).append('@').append(r.time());
        for (int i = 0; i < r.attributeCount(); i++) {
            text.append(' ').append(r.attributeName(i)).append('=').append(r.valueAt(i));
        }
        return text.toString();
    }

    private static List<String> describe(Event... events) throws Exception {
        return run(CONFIG, events).stream().map(MerchantWatchRuleTest::describe).toList();
    }

    @Test
    void watchedMerchantGivesMerchantCountryAndReason() throws Exception {
        assertThat(
                        describe(
                                TestingEvent.of("card-0001", 5L)
                                        .with("amount", 20.0)
                                        .with("country", "DE")
                                        .with("merchant", "Lucky Star Casino")))
                .containsExactly(
                        "card-0001@5 merchant=Lucky Star Casino country=DE reason=merchant");
    }

    @Test
    void watchedMerchantInAWatchedCountryGivesOneResultForTheMerchant() throws Exception {
        assertThat(
                        describe(
                                TestingEvent.of("k", 1L)
                                        .with("merchant", "QuickCash Exchange")
                                        .with("country", "BR")))
                .containsExactly("k@1 merchant=QuickCash Exchange country=BR reason=merchant");
    }

    @Test
    void watchedCountryGivesTheMerchantWhenPresent() throws Exception {
        assertThat(
                        describe(
                                TestingEvent.of("k", 1L)
                                        .with("merchant", "Corner Bakery")
                                        .with("country", "TH"),
                                TestingEvent.of("k", 2L).with("country", "BR"),
                                TestingEvent.of("k", 3L)
                                        .with("merchant", 42L)
                                        .with("country", "BR")))
                .containsExactly(
                        "k@1 merchant=Corner Bakery country=TH reason=country",
                        "k@2 country=BR reason=country",
                        "k@3 country=BR reason=country");
    }

    @Test
    void watchedMerchantWithoutAStringCountry() throws Exception {
        assertThat(
                        describe(
                                TestingEvent.of("k", 1L).with("merchant", "Lucky Star Casino"),
                                TestingEvent.of("k", 2L)
                                        .with("merchant", "Lucky Star Casino")
                                        .with("country", 49L)))
                .containsExactly(
                        "k@1 merchant=Lucky Star Casino reason=merchant",
                        "k@2 merchant=Lucky Star Casino reason=merchant");
    }

    @Test
    void otherEventsGiveNothing() throws Exception {
        assertThat(
                        describe(
                                TestingEvent.of("k", 1L)
                                        .with("merchant", "Corner Bakery")
                                        .with("country", "DE"),
                                TestingEvent.of("k", 2L)
                                        .with("merchant", "lucky star casino")
                                        .with("country", "br"),
                                TestingEvent.of("k", 3L).with("amount", 5000.0),
                                TestingEvent.of("k", 4L)
                                        .with("merchant", true)
                                        .with("country", 1.5)))
                .isEmpty();
    }

    @Test
    void emptyListsWatchNothing() throws Exception {
        assertThat(
                        run(
                                Map.of("merchants", List.of(), "countries", List.of()),
                                TestingEvent.of("k", 1L)
                                        .with("merchant", "Lucky Star Casino")
                                        .with("country", "BR")))
                .isEmpty();
    }

    @Test
    void missingOrMistypedConfigIsRefusedNamingTheField() {
        MerchantWatchRule rule = new MerchantWatchRule();
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "merchant-watch",
                                                Map.of("countries", List.of("BR")))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'merchants' is missing");
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "merchant-watch",
                                                Map.of("merchants", List.of(), "countries", "BR"))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'countries' is not an array");
        assertThatThrownBy(
                        () ->
                                rule.open(
                                        new TestingRuleContext(
                                                "merchant-watch",
                                                Map.of(
                                                        "merchants",
                                                        List.of(),
                                                        "countries",
                                                        List.of("BR", 7L)))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'countries[1]'");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("merchants", null);
        withNull.put("countries", List.of());
        assertThatThrownBy(() -> rule.open(new TestingRuleContext("merchant-watch", withNull)))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'merchants' is null");
    }

    @Test
    void isFoundThroughServiceLoader() {
        assertThat(ServiceLoader.load(Rule.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(MerchantWatchRule.class);
    }
}
