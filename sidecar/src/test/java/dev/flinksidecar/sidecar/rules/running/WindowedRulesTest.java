package dev.flinksidecar.sidecar.rules.running;

import static dev.flinksidecar.sidecar.rules.running.RuleEngineTest.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windowed rules in the rule set and the engine: loading, watermarks in band, late events,
 * failures.
 */
class WindowedRulesTest {

    private static final String TUMBLING_10S =
            "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}";

    /** A windowed rule whose add throws for key {@code bad}. */
    private static final String THROWING_WINDOWED =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class ThrowingWindowed implements WindowedRule<long[]> {\n"
                    + "  public WindowAssigner windowAssigner() { return WindowAssigner.tumbling(java.time.Duration.ofSeconds(10)); }\n"
                    + "  public long[] createAccumulator() { return new long[1]; }\n"
                    + "  public long[] add(Event event, long[] n) {\n"
                    + "    if (event.key().equals(\"bad\")) { throw new IllegalArgumentException(\"bad key\"); }\n"
                    + "    n[0]++; return n;\n"
                    + "  }\n"
                    + "  public long[] merge(long[] a, long[] b) { a[0] += b[0]; return a; }\n"
                    + "  public double getResult(long[] n) { return n[0]; }\n"
                    + "  public AccumulatorCodec<long[]> accumulatorCodec() { return AccumulatorCodec.longs(); }\n"
                    + "}\n";

    /** A windowed rule that declares no windows. */
    private static final String NO_WINDOWS =
            THROWING_WINDOWED
                    .replace("ThrowingWindowed", "NoWindows")
                    .replace(
                            "return WindowAssigner.tumbling(java.time.Duration.ofSeconds(10));",
                            "return null;");

    @TempDir Path dir;

    @Test
    void perEventAndWindowedRulesRunSideBySideWithEachWatermarkAfterTheEventsBeforeIt()
            throws IOException {
        TestingRuleJars.threshold(dir, "a-threshold", 100);
        TestingRuleJars.windowedSum(dir, "b-sum", TUMBLING_10S + "}");
        EventBatchWriter writer = new EventBatchWriter();
        writer.add(payment("k1", 1000, 50));
        writer.watermarkAfterEvents(999);
        writer.add(payment("k1", 5000, 200));
        writer.add(payment("k2", 12000, 10));
        writer.watermarkAfterEvents(10999);
        writer.add(payment("k1", 3000, 7));

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            ResultBatch answer = engine.process(writer.build(1, true, Long.MAX_VALUE));

            assertThat(lines(answer, dir))
                    .containsExactly(
                            "{\"rule\":\"a-threshold\",\"version\":\"1.0.0\",\"key\":\"k1\",\"time\":5000,\"amount\":200,\"source\":\"threshold\"}",
                            "{\"rule\":\"b-sum\",\"version\":\"1.0.0\",\"key\":\"k1\",\"window_start\":0,\"window_end\":10000,\"value\":250.0,\"count\":2}",
                            "{\"rule\":\"b-sum\",\"version\":\"1.0.0\",\"key\":\"k2\",\"window_start\":10000,\"window_end\":20000,\"value\":10.0,\"count\":1}");
            assertThat(positions(answer))
                    .containsExactly("event 1", "watermark after 3", "watermark after 4");
            assertThat(answer.getResults(1).getTime())
                    .as("a window result's time is its end - 1")
                    .isEqualTo(9999);
            assertThat(answer.getLateEventsList())
                    .containsExactly(LateEvent.newBuilder().setEventIndex(3).setRule(1).build());
            assertThat(answer.getDeadLettersList()).isEmpty();
        }
    }

    @Test
    void aLateFiringWithinTheAllowedLatenessCarriesTheEventThatFiredIt() throws IOException {
        TestingRuleJars.windowedSum(dir, "sum", TUMBLING_10S + ", \"allowed_lateness_ms\": 5000}");

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            EventBatchWriter writer = new EventBatchWriter();
            writer.add(payment("k1", 1000, 1));
            ResultBatch first = engine.process(writer.build(1, true, 9999));
            writer.clear();
            writer.add(payment("k1", 2000, 2));
            writer.add(payment("k1", 2500, 4));
            ResultBatch second = engine.process(writer.build(2, true, 14999));

            assertThat(positions(first)).containsExactly("watermark after 1");
            assertThat(positions(second)).containsExactly("event 0", "event 1");
            assertThat(second.getResultsList())
                    .extracting(r -> r.getWindow().getValue() + " x" + r.getWindow().getCount())
                    .containsExactly("3.0 x2", "7.0 x3");
            writer.clear();
            writer.add(payment("k1", 3000, 8));
            assertThat(engine.process(writer.build(3, false, 0)).getLateEventsCount())
                    .as("cleaned up at 14999")
                    .isOne();
        }
    }

    @Test
    void aWindowedRuleThrowingOnAnEventGivesADeadLetterAndTheOthersGoOn() throws IOException {
        TestingRuleJars.windowedJar(
                dir, "counting", "1.0.0", THROWING_WINDOWED, "testrules.ThrowingWindowed");

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            EventBatchWriter writer = new EventBatchWriter();
            writer.add(payment("ok", 1000, 1));
            writer.add(payment("bad", 1001, 1));
            writer.add(payment("ok", 1002, 1));
            ResultBatch answer = engine.process(writer.build(1, true, Long.MAX_VALUE));

            assertThat(answer.getDeadLettersCount()).isOne();
            assertThat(answer.getDeadLetters(0).getEventIndex()).isEqualTo(1);
            assertThat(answer.getDeadLetters(0).getReason())
                    .isEqualTo("java.lang.IllegalArgumentException: bad key");
            assertThat(lines(answer, dir))
                    .containsExactly(
                            "{\"rule\":\"counting\",\"version\":\"1.0.0\",\"key\":\"ok\",\"window_start\":0,\"window_end\":10000,\"value\":2.0,\"count\":2}");
        }
    }

    @Test
    void interimWatermarksOutOfOrderOrBeyondTheBatchAreRefused() throws IOException {
        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = RuleEngine.open(rules, "test")) {
            EventBatchWriter writer = new EventBatchWriter();
            writer.add(payment("k", 1, 1));
            EventBatch batch = writer.build(1, false, 0);

            assertThatThrownBy(
                            () ->
                                    engine.process(
                                            batch.toBuilder()
                                                    .addInterimWatermarkPositions(2)
                                                    .addInterimWatermarks(5)
                                                    .build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("beyond the 1 events");
            assertThatThrownBy(
                            () ->
                                    engine.process(
                                            batch.toBuilder()
                                                    .addInterimWatermarkPositions(1)
                                                    .addInterimWatermarkPositions(0)
                                                    .addInterimWatermarks(5)
                                                    .addInterimWatermarks(6)
                                                    .build()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(
                            () ->
                                    engine.process(
                                            batch.toBuilder()
                                                    .addInterimWatermarkPositions(1)
                                                    .build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("interim_watermarks");
        }
    }

    @Test
    void aWindowedRuleWithoutWindowsIsRefusedAndTheOthersLoad() throws IOException {
        TestingRuleJars.windowedJar(dir, "nowindows", "1.0.0", NO_WINDOWS, "testrules.NoWindows");
        TestingRuleJars.windowedSum(dir, "sum", TUMBLING_10S + "}");

        try (RuleSet rules = RuleSet.load(dir)) {
            assertThat(rules.rules())
                    .extracting(rule -> rule.id() + (rule.windowed() ? " windowed" : ""))
                    .containsExactly("sum windowed");
            assertThat(rules.refusals())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .isEqualTo(
                            "rule jar nowindows.jar: rule testrules.NoWindows failed to open: "
                                    + "windowAssigner() returned null; a windowed rule must declare its windows");
            assertThatThrownBy(() -> rules.rules().get(0).open())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    private static List<String> positions(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(WindowedRulesTest::position)
                .collect(Collectors.toList());
    }

    private static String position(Result result) {
        return result.hasWindow() && result.getWindow().getByWatermark()
                ? "watermark after " + result.getEventIndex()
                : "event " + result.getEventIndex();
    }

    private static EventRecord payment(String key, long time, long amount) {
        return EventRecord.builder(key, time).type("payment").set("amount", amount).build();
    }
}
