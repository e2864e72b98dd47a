package dev.flinksidecar.sidecar.rules.running;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule versions that throw an {@link Error}, run past their budget or get stuck are quarantined,
 * and the other rules' results stay exactly those of a run without them.
 */
class QuarantineTest {

    private static final String THRESHOLD_200 =
            "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"ok\",\"time\":1000,\"amount\":200,\"source\":\"threshold\"}";

    @TempDir Path dir;

    @AfterEach
    void releaseLoopingRules() {
        System.setProperty("testrules.release", "true");
    }

    @Test
    void aRuleThatThrowsAnErrorIsQuarantinedAndItsEventsAreDeadLetters() throws IOException {
        TestingRuleJars.jar(
                dir, "broken", "1.0.0", TestingRuleJars.ERROR_THROWING, "testrules.ErrorThrowing");
        TestingRuleJars.threshold(dir, "threshold", 100);
        Quarantines quarantines = new Quarantines();

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine =
                        RuleEngine.open(rules.open("test", false, 0), "test", false, quarantines)) {
            ResultBatch first =
                    engine.process(TestingBatches.batch(1, "ok=200", "bad=300", "after=400"));

            assertThat(lines(first))
                    .containsExactly(
                            THRESHOLD_200,
                            threshold("bad", 1001, 300),
                            threshold("after", 1002, 400));
            assertThat(deadLetters(first, "broken"))
                    .containsExactly(
                            "0 rule broken 1.0.0 quarantined: threw java.lang.InternalError: broken",
                            "1 rule broken 1.0.0 quarantined: threw java.lang.InternalError: broken",
                            "2 rule broken 1.0.0 quarantined: threw java.lang.InternalError: broken");
            assertThat(quarantines.all())
                    .extracting(Quarantines.Entry::id)
                    .containsExactly("broken");

            ResultBatch second = engine.process(TestingBatches.batch(2, "ok=200"));
            assertThat(lines(second)).containsExactly(THRESHOLD_200);
            assertThat(deadLetters(second, "broken"))
                    .containsExactly(
                            "0 rule broken 1.0.0 quarantined: threw java.lang.InternalError: broken");
        }
    }

    @Test
    void aQuarantineInOneEngineReachesTheOthersAtTheirNextBatchAndALiftReopens()
            throws IOException {
        TestingRuleJars.jar(
                dir, "broken", "1.0.0", TestingRuleJars.ERROR_THROWING, "testrules.ErrorThrowing");
        Quarantines quarantines = new Quarantines();

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine one =
                        RuleEngine.open(rules.open("one", false, 0), "one", false, quarantines);
                RuleEngine two =
                        RuleEngine.open(rules.open("two", false, 0), "two", false, quarantines)) {
            one.process(TestingBatches.batch(1, "bad=1"));

            ResultBatch other = two.process(TestingBatches.batch(1, "fine=1"));
            assertThat(other.getResultsList()).isEmpty();
            assertThat(deadLetters(other, "broken")).hasSize(1);

            quarantines.lift("broken");
            ResultBatch lifted = two.process(TestingBatches.batch(2, "fine=1"));
            assertThat(lifted.getResultsCount()).isOne();
            assertThat(lifted.getDeadLettersList()).isEmpty();
        }
    }

    @Test
    void aRuleStuckInOneCallIsAbandonedAndAnotherThreadFinishesTheBatch() throws Exception {
        System.clearProperty("testrules.release");
        TestingRuleJars.jar(dir, "looping", "1.0.0", TestingRuleJars.LOOPING, "testrules.Looping");
        TestingRuleJars.threshold(dir, "threshold", 100);
        Quarantines quarantines = new Quarantines();
        EventBatch batch = TestingBatches.batch(1, "ok=200", "loop=300", "after=400");

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine =
                        RuleEngine.open(rules.open("test", false, 0), "test", false, quarantines);
                RuleWatchdog watchdog = new RuleWatchdog(Duration.ofMillis(200), v -> null)) {
            CompletableFuture<ResultBatch> answer = new CompletableFuture<>();
            CompletableFuture<Thread> abandoned = new CompletableFuture<>();
            engine.abandonable(
                    stuck -> {
                        abandoned.complete(stuck);
                        Thread finisher =
                                new Thread(
                                        () -> {
                                            try {
                                                answer.complete(engine.resume());
                                            } catch (Throwable e) {
                                                answer.completeExceptionally(e);
                                            }
                                        });
                        finisher.start();
                    });
            watchdog.watch(engine);
            CompletableFuture<Throwable> stuckThreadEnd = new CompletableFuture<>();
            Thread stuck =
                    new Thread(
                            () -> {
                                try {
                                    answer.complete(engine.process(batch));
                                    stuckThreadEnd.complete(null);
                                } catch (Throwable e) {
                                    stuckThreadEnd.complete(e);
                                }
                            });
            stuck.start();

            ResultBatch result = answer.get(30, TimeUnit.SECONDS);
            assertThat(abandoned.get(30, TimeUnit.SECONDS)).isSameAs(stuck);
            assertThat(lines(result))
                    .containsExactly(
                            THRESHOLD_200,
                            threshold("loop", 1001, 300),
                            threshold("after", 1002, 400));
            assertThat(deadLetters(result, "looping"))
                    .containsExactly(
                            "0 rule looping 1.0.0 quarantined: 200 ms budget exceeded on one batch",
                            "1 rule looping 1.0.0 quarantined: 200 ms budget exceeded on one batch",
                            "2 rule looping 1.0.0 quarantined: 200 ms budget exceeded on one batch");

            // let the stuck thread out: it may write nothing, and unwinds with AbandonedCall
            System.setProperty("testrules.release", "true");
            assertThat(stuckThreadEnd.get(30, TimeUnit.SECONDS)).isInstanceOf(AbandonedCall.class);
            assertThat(lines(engine.process(TestingBatches.batch(2, "ok=200"))))
                    .containsExactly(THRESHOLD_200);
        }
    }

    @Test
    void aRuleSlowOnEveryEventIsQuarantinedPastItsBudgetWithoutAbandoningTheThread()
            throws IOException {
        TestingRuleJars.jar(dir, "slow", "1.0.0", TestingRuleJars.SLOW, "testrules.Slow");
        TestingRuleJars.threshold(dir, "threshold", 100);
        Quarantines quarantines = new Quarantines();
        String[] events = new String[40];
        for (int i = 0; i < events.length; i++) {
            events[i] = "ok=200";
        }

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine =
                        RuleEngine.open(rules.open("test", false, 0), "test", false, quarantines);
                RuleWatchdog watchdog = new RuleWatchdog(Duration.ofMillis(200), v -> null)) {
            engine.abandonable(stuck -> {});
            watchdog.watch(engine);
            ResultBatch answer = engine.process(TestingBatches.batch(1, events));

            // 40 events of 40 ms are 1.6 s: the watchdog stops the rule long before the end
            assertThat(answer.getResultsList())
                    .allMatch(r -> answer.getRules(r.getRule()).getId().equals("threshold"))
                    .hasSize(40);
            assertThat(deadLetters(answer, "slow"))
                    .hasSize(40)
                    .allMatch(d -> d.endsWith("quarantined: 200 ms budget exceeded on one batch"));
        }
    }

    @Test
    void aWindowedRuleThatThrowsAnErrorWhenItFiresIsQuarantinedWithItsWindows() throws Exception {
        TestingRuleJars.threshold(dir, "a-threshold", 100);
        TestingRuleJars.config(
                dir, "b-sum", "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}}");
        TestingRuleJars.windowedJar(
                dir,
                "b-sum",
                "1.0.0",
                TestingRuleJars.WINDOWED_SUM
                        .replace("WindowedSum", "FailingSum")
                        .replace(
                                "public double getResult(double[] sum) { return sum[0]; }",
                                "public double getResult(double[] sum) { if (sum[0] > 1000) throw new"
                                        + " StackOverflowError(); return sum[0]; }"),
                "testrules.FailingSum");
        Quarantines quarantines = new Quarantines();
        EventBatchWriter writer = new EventBatchWriter();
        writer.add(payment("small", 1000, 50));
        writer.add(payment("big", 2000, 5000));
        writer.watermarkAfterEvents(10999);
        writer.add(payment("after", 12000, 300));

        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine =
                        RuleEngine.open(rules.open("test", true, 0), "test", true, quarantines)) {
            ResultBatch answer = engine.process(writer.build(1, true, Long.MIN_VALUE));

            assertThat(answer.getResultsList())
                    .extracting(r -> answer.getRules(r.getRule()).getId() + " " + r.getKey())
                    .containsExactly("a-threshold big", "a-threshold after");
            assertThat(deadLetters(answer, "b-sum"))
                    .containsExactly(
                            "0 rule b-sum 1.0.0 quarantined: threw java.lang.StackOverflowError",
                            "1 rule b-sum 1.0.0 quarantined: threw java.lang.StackOverflowError",
                            "2 rule b-sum 1.0.0 quarantined: threw java.lang.StackOverflowError");
            assertThat(engine.barrier(1)).extracting(r -> r.getId()).contains("b-sum");
            List<String> snapshotKeys = new ArrayList<>();
            engine.snapshot(state -> snapshotKeys.add(state.getKey()));
            assertThat(engine.openWindows()).isZero();
        }
    }

    private static EventRecord payment(String key, long time, long amount) {
        return EventRecord.builder(key, time).type("payment").set("amount", amount).build();
    }

    private static String threshold(String key, long time, int amount) {
        return "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\""
                + key
                + "\",\"time\":"
                + time
                + ",\"amount\":"
                + amount
                + ",\"source\":\"threshold\"}";
    }

    private List<String> lines(ResultBatch answer) {
        return TestingVersions.normalised(
                answer.getResultsList().stream()
                        .map(r -> ResultJson.toJson(answer.getRules(r.getRule()), r))
                        .collect(Collectors.toList()),
                dir);
    }

    private List<String> deadLetters(ResultBatch answer, String rule) {
        return answer.getDeadLettersList().stream()
                .filter(d -> answer.getRules(d.getRule()).getId().equals(rule))
                .map(QuarantineTest::text)
                .map(line -> line.replaceAll("(\\d+\\.\\d+\\.\\d+)\\+[0-9a-f]{7}", "$1"))
                .collect(Collectors.toList());
    }

    private static String text(DeadLetter letter) {
        return letter.getEventIndex() + " " + letter.getReason();
    }
}
