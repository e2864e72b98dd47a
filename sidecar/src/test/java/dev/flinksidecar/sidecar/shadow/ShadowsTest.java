package dev.flinksidecar.sidecar.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.ShadowStatus;
import dev.flinksidecar.sidecar.deploy.ArtifactStore;
import dev.flinksidecar.sidecar.deploy.DeployOutcome;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.deploy.Sha256AllowList;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.loading.JarLimits;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadows against a real registry and real session engines, without sockets: what a candidate is
 * compared with, that the active answers never change, where promote switches and when a windowed
 * promote is refused.
 */
class ShadowsTest {

    @TempDir Path dir;

    private ArtifactStore store;
    private RuleRegistry registry;
    private final List<RuleEngine> engines = new ArrayList<>();
    private final List<SessionShadows> sessions = new ArrayList<>();
    private final List<ShadowReport> reports = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        store = ArtifactStore.open(dir.resolve("store"));
        registry =
                new RuleRegistry(
                        store,
                        loader -> {},
                        3,
                        System::currentTimeMillis,
                        SidecarMetrics.disabled(),
                        JarLimits.DEFAULTS,
                        Sha256AllowList.any());
    }

    @AfterEach
    void stop() {
        sessions.forEach(SessionShadows::close);
        engines.forEach(RuleEngine::close);
        registry.close();
        store.close();
    }

    private byte[] jar(String name, String source, String service) throws IOException {
        Path folder = Files.createTempDirectory(dir, name);
        return Files.readAllBytes(TestingRuleJars.jar(folder, name, "1.0.0", source, service));
    }

    private byte[] threshold() throws IOException {
        return jar("threshold", TestingRuleJars.THRESHOLD, "testrules.Threshold");
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void deploy(byte[] jar, String config) {
        DeployOutcome outcome = registry.deploy("threshold.jar", jar, json(config), "admin");
        assertThat(outcome.ok()).as(outcome.message()).isTrue();
    }

    private AdminResponse shadow(byte[] jar, String config) {
        return registry.shadows().shadow("threshold.jar", jar, json(config));
    }

    /** A session: its engine and its shadows, as SessionRules opens them. */
    private record Session(RuleEngine engine, SessionShadows shadows) {
        ResultBatch batch(EventBatch batch) {
            EventBatchColumns columns = columns(batch);
            ResultBatch answer = engine.process(columns);
            shadows.batch(columns, answer);
            return answer;
        }

        /** The batch as the session reads it from its frame. */
        private static EventBatchColumns columns(EventBatch batch) {
            try {
                return EventBatchColumns.read(batch.toByteArray());
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }

        void barrier(long checkpoint) {
            engine.barrier(checkpoint);
            shadows.barrier(checkpoint, engine);
        }
    }

    private Session session(String name, boolean barriers) {
        RuleEngine engine =
                RuleEngine.open(
                        registry.open(name, barriers, 0), name, false, registry.quarantines());
        SessionShadows shadows = registry.shadows().open(name, barriers, null, reports::add);
        engines.add(engine);
        sessions.add(shadows);
        return new Session(engine, shadows);
    }

    private ShadowStatus status(String rule) {
        AdminResponse response = registry.shadows().status(rule);
        assertThat(response.getOk()).as(response.getMessage()).isTrue();
        return response.getShadows(0);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static List<String> versions(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(r -> answer.getRules(r.getRule()).getVersion())
                .distinct()
                .collect(Collectors.toList());
    }

    @Test
    void theCandidateRunsFromTheNextBarrierAndIsComparedResultByResult() throws Exception {
        byte[] jar = threshold();
        deploy(jar, "{\"limit\": 100}");
        Session session = session("s1", true);
        session.barrier(1);

        AdminResponse shadowed = shadow(jar, "{\"limit\": 500}");
        assertThat(shadowed.getOk()).as(shadowed.getMessage()).isTrue();
        session.batch(
                TestingBatches.batch(1, "a=600", "b=200")); // before the barrier: not shadowed
        assertThat(status("threshold").getState()).isEqualTo("waiting");

        session.barrier(2);
        ResultBatch answer =
                session.batch(TestingBatches.batch(2, "a=600", "b=200", "c=50", "d=900"));
        await("the batch compared", () -> status("threshold").getBatches() == 1);

        assertThat(answer.getResultsCount()).isEqualTo(3); // the active version's only
        ShadowStatus status = status("threshold");
        assertThat(status.getAgree()).isEqualTo(2);
        assertThat(status.getRemoved()).isEqualTo(1);
        assertThat(status.getAdded()).isZero();
        assertThat(status.getChanged()).isZero();
        assertThat(status.getState()).isEqualTo("running");
        assertThat(status.getActiveVersion()).isNotEqualTo(status.getCandidateVersion());
        await("the report", () -> reports.size() == 1);
        ShadowReport report = reports.get(0);
        assertThat(report.getSequence()).isEqualTo(2);
        assertThat(report.getDifferencesList()).hasSize(1);
        assertThat(report.getDifferences(0).getOutcome()).isEqualTo("removed");
        assertThat(report.getDifferences(0).getKey()).isEqualTo("b");
        assertThat(report.getDifferences(0).getActive()).contains("\"key\":\"b\"");
        assertThat(report.getDifferences(0).getCandidate()).isEmpty();
    }

    @Test
    void promoteSwitchesEverySessionRightAfterTheNextBarrierAndEndsTheShadowThere()
            throws Exception {
        byte[] jar = threshold();
        deploy(jar, "{\"limit\": 100}");
        Session one = session("s1", true);
        Session two = session("s2", true);
        one.barrier(1);
        two.barrier(1);
        shadow(jar, "{\"limit\": 500}");
        one.barrier(2);
        two.barrier(2);
        String candidate = status("threshold").getCandidateVersion();
        String before = status("threshold").getActiveVersion();

        AdminResponse promoted = registry.shadows().promote("threshold");
        assertThat(promoted.getOk()).as(promoted.getMessage()).isTrue();
        assertThat(promoted.getMessage()).contains("right after checkpoint barrier 3");

        assertThat(versions(one.batch(TestingBatches.batch(1, "a=600")))).containsExactly(before);
        assertThat(versions(two.batch(TestingBatches.batch(1, "a=600")))).containsExactly(before);
        one.barrier(3);
        two.barrier(3);
        assertThat(versions(one.batch(TestingBatches.batch(2, "a=600", "b=200"))))
                .containsExactly(candidate);
        assertThat(versions(two.batch(TestingBatches.batch(2, "a=600", "b=200"))))
                .containsExactly(candidate);
        assertThat(registry.shadows().status("threshold").getCode()).isEqualTo(Shadows.NO_SHADOW);
        assertThat(registry.shadows().status("").getShadowsCount()).isZero();
    }

    @Test
    void withoutBarriersTheCandidateStartsAndIsPromotedAtTheNextBatch() throws Exception {
        byte[] jar = threshold();
        deploy(jar, "{\"limit\": 100}");
        Session session = session("s1", false);
        shadow(jar, "{\"limit\": 500}");
        session.batch(TestingBatches.batch(1, "a=600", "b=200"));
        await("the batch compared", () -> status("threshold").getBatches() == 1);
        String candidate = status("threshold").getCandidateVersion();

        AdminResponse promoted = registry.shadows().promote("threshold");
        assertThat(promoted.getOk()).as(promoted.getMessage()).isTrue();
        assertThat(versions(session.batch(TestingBatches.batch(2, "a=600"))))
                .containsExactly(candidate);
    }

    @Test
    void aWindowedCandidateIsRefusedWithTheTimeLeftUntilItRanForItsWindowAndLateness()
            throws Exception {
        Path folder = Files.createDirectories(dir.resolve("windowed"));
        byte[] jar =
                Files.readAllBytes(
                        TestingRuleJars.windowedJar(
                                folder,
                                "spend",
                                "1.0.0",
                                TestingRuleJars.WINDOWED_SUM,
                                "testrules.WindowedSum"));
        String active = "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}}";
        String candidate =
                "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"allowed_lateness_ms\":"
                        + " 2000, \"above\": 100}";
        DeployOutcome deployed = registry.deploy("spend.jar", jar, json(active), "admin", 0);
        assertThat(deployed.ok()).as(deployed.message()).isTrue();
        Session session = session("s1", true);
        session.barrier(1); // the staged windowed version becomes active
        AdminResponse shadowed = registry.shadows().shadow("spend.jar", jar, json(candidate));
        assertThat(shadowed.getOk()).as(shadowed.getMessage()).isTrue();
        session.barrier(2);

        AdminResponse early = registry.shadows().promote("spend");
        assertThat(early.getOk()).isFalse();
        assertThat(early.getCode()).isEqualTo(Shadows.TOO_EARLY);
        assertThat(early.getMessage()).contains("12000 ms of event time left");

        session.batch(TestingBatches.timed(1, 1_000L, "k@500=50"));
        session.batch(TestingBatches.timed(2, 5_000L, "k@4000=500"));
        await("two batches compared", () -> status("spend").getBatches() == 2);
        AdminResponse stillEarly = registry.shadows().promote("spend");
        assertThat(stillEarly.getCode()).isEqualTo(Shadows.TOO_EARLY);
        assertThat(stillEarly.getMessage()).contains("8000 ms of event time left");
        assertThat(stillEarly.getShadows(0).getPromoteWaitMs()).isEqualTo(8_000);

        session.batch(TestingBatches.timed(3, 13_000L, "k@12000=5"));
        await("three batches compared", () -> status("spend").getBatches() == 3);
        AdminResponse promoted = registry.shadows().promote("spend");
        assertThat(promoted.getOk()).as(promoted.getMessage()).isTrue();
    }

    /**
     * {@link TestingRuleJars#WINDOWED_SUM}, each amount times the config's {@code factor}; with
     * {@code "gated": true}, its filter holds an event of key {@code gate} as {@link
     * TestingRuleJars#GATE} does.
     */
    private static final String SCALED_SUM =
            TestingRuleJars.WINDOWED_SUM
                    .replace(
                            "private double above;",
                            "private double above;\n  private double factor;\n  private boolean gated;")
                    .replace(
                            "above = context",
                            "factor = context.config().getDouble(\"factor\", 1);\n"
                                    + "    gated = context.config().getBoolean(\"gated\", false);\n"
                                    + "    above = context")
                    .replace(
                            "public boolean filter(Event event) {\n",
                            "public boolean filter(Event event) {\n"
                                    + "    if (gated && event.key().equals(\"gate\")) {\n"
                                    + "      ((java.util.concurrent.CountDownLatch) System.getProperties()"
                                    + ".get(\"test.gate.entered\")).countDown();\n"
                                    + "      try { ((java.util.concurrent.CountDownLatch) System.getProperties()"
                                    + ".get(\"test.gate\")).await(30, java.util.concurrent.TimeUnit.SECONDS); }\n"
                                    + "      catch (InterruptedException e) { throw new IllegalStateException(e); }\n"
                                    + "    }\n")
                    .replace("sum[0] += event", "sum[0] += factor * event");

    private byte[] scaledSum() throws IOException {
        assertThat(SCALED_SUM).contains("factor * event").contains("test.gate.entered");
        Path folder = Files.createDirectories(dir.resolve("scaled"));
        return Files.readAllBytes(
                TestingRuleJars.windowedJar(
                        folder, "spend", "1.0.0", SCALED_SUM, "testrules.WindowedSum"));
    }

    /**
     * A session with keyed state on {@code rules}, its version staged at 0 active from barrier 1.
     */
    private Session keyedSession(RuleRegistry rules, String name) {
        RuleEngine engine =
                RuleEngine.open(rules.open(name, true, 0), name, true, rules.quarantines());
        SessionShadows shadows = rules.shadows().open(name, true, null, reports::add);
        engines.add(engine);
        sessions.add(shadows);
        Session session = new Session(engine, shadows);
        session.barrier(1);
        return session;
    }

    private static List<KeyState> snapshot(RuleEngine engine) throws IOException {
        List<KeyState> keys = new ArrayList<>();
        engine.snapshot(keys::add);
        keys.sort(Comparator.comparing(KeyState::getKey));
        return keys;
    }

    /** The window results of an answer, with the version that made each, rule indexes left out. */
    private static List<String> windows(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(
                        r ->
                                answer.getRules(r.getRule()).getVersion()
                                        + " "
                                        + r.toBuilder().clearRule().build())
                .sorted()
                .collect(Collectors.toList());
    }

    @Test
    void aPromotedWindowedCandidateHandsItsWindowsAndTheirStateOverAtThePromoteBarrier()
            throws Exception {
        byte[] jar = scaledSum();
        String window = "\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}";
        String activeConfig = "{" + window + "}";
        String candidateConfig = "{" + window + ", \"factor\": 10}";
        DeployOutcome deployed = registry.deploy("spend.jar", jar, json(activeConfig), "admin", 0);
        assertThat(deployed.ok()).as(deployed.message()).isTrue();
        Session session = keyedSession(registry, "s1");
        session.batch(TestingBatches.timed(1, 1_000L, "k@500=50")); // before the shadow

        AdminResponse shadowed = registry.shadows().shadow("spend.jar", jar, json(candidateConfig));
        assertThat(shadowed.getOk()).as(shadowed.getMessage()).isTrue();
        String candidate = shadowed.getShadows(0).getCandidateVersion();
        session.barrier(2); // the shadow begins
        snapshot(session.engine());
        List<EventBatch> sinceTheShadow =
                List.of(
                        TestingBatches.timed(2, 5_000L, "k@4000=500", "j@6000=7"),
                        TestingBatches.timed(3, 15_000L, "k@12000=5", "j@14000=3"),
                        TestingBatches.timed(4, 16_000L, "k@16000=1"));
        session.batch(sinceTheShadow.get(0));
        session.batch(sinceTheShadow.get(1));
        await("two batches compared", () -> status("spend").getBatches() == 2);
        AdminResponse promoted = registry.shadows().promote("spend");
        assertThat(promoted.getOk()).as(promoted.getMessage()).isTrue();
        assertThat(promoted.getMessage())
                .contains("right after checkpoint barrier 3")
                .contains("its open windows replace the version before's there");
        ResultBatch beforeTheBarrier = session.batch(sinceTheShadow.get(2)); // queued in the shadow
        assertThat(beforeTheBarrier.getResultsCount()).isZero();
        session.barrier(3);
        List<KeyState> state = snapshot(session.engine());
        EventBatch after = TestingBatches.timed(5, 25_000L, "k@21000=2");
        ResultBatch answer = session.batch(after);

        // The candidate alone, over every event since the shadow began: what the session must
        // match.
        ArtifactStore replayStore = ArtifactStore.open(dir.resolve("replay-store"));
        RuleRegistry replay =
                new RuleRegistry(
                        replayStore,
                        loader -> {},
                        3,
                        System::currentTimeMillis,
                        SidecarMetrics.disabled(),
                        JarLimits.DEFAULTS,
                        Sha256AllowList.any());
        try {
            DeployOutcome alone =
                    replay.deploy("spend.jar", jar, json(candidateConfig), "admin", 0);
            assertThat(alone.ok()).as(alone.message()).isTrue();
            Session reference = keyedSession(replay, "replay");
            snapshot(reference.engine());
            sinceTheShadow.forEach(reference::batch);
            reference.barrier(3);
            List<KeyState> expectedState = snapshot(reference.engine());
            ResultBatch expected = reference.batch(after);
            reference.shadows().close();
            reference.engine().close();
            sessions.remove(reference.shadows());
            engines.remove(reference.engine());

            // [10 s, 20 s) fires: j 3 x 10, k (5 + 1) x 10, as the candidate counted them
            assertThat(expected.getResultsList())
                    .extracting(r -> r.getKey() + "=" + r.getWindow().getValue())
                    .containsExactlyInAnyOrder("j=30.0", "k=60.0");
            assertThat(windows(answer)).isEqualTo(windows(expected));
            assertThat(versions(answer)).containsExactly(candidate); // none from the version before
            assertThat(answer.getRulesList())
                    .extracting(r -> r.getVersion())
                    .containsExactly(candidate);
            assertThat(expectedState).extracting(KeyState::getKey).containsExactly("j", "k");
            assertThat(state).isEqualTo(expectedState);
        } finally {
            replay.close();
            replayStore.close();
        }
    }

    @Test
    void aWindowedCandidateThatSkippedBatchesIsPromotedWithoutItsWindows() throws Exception {
        registry.shadows().configure(100, 1, Duration.ofSeconds(2));
        byte[] jar = scaledSum();
        String window = "\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}";
        DeployOutcome deployed =
                registry.deploy("spend.jar", jar, json("{" + window + "}"), "admin", 0);
        assertThat(deployed.ok()).as(deployed.message()).isTrue();
        Session session = keyedSession(registry, "s1");
        String config = "{" + window + ", \"factor\": 10, \"gated\": true}";
        AdminResponse shadowed = registry.shadows().shadow("spend.jar", jar, json(config));
        assertThat(shadowed.getOk()).as(shadowed.getMessage()).isTrue();
        String before = shadowed.getShadows(0).getActiveVersion();
        session.barrier(2);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        System.getProperties().put("test.gate.entered", entered);
        System.getProperties().put("test.gate", gate);
        try {
            session.batch(TestingBatches.timed(2, 5_000L, "gate@4000=1"));
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue(); // the candidate is held
            session.batch(TestingBatches.timed(3, 8_000L, "k@6000=5")); // queued (1 place)
            session.batch(TestingBatches.timed(4, 9_000L, "k@7000=1")); // skipped
            gate.countDown();
            await("the queued batch compared", () -> status("spend").getBatches() == 2);
        } finally {
            gate.countDown();
            System.getProperties().remove("test.gate.entered");
            System.getProperties().remove("test.gate");
        }
        // the queue has one place: each batch compared before the next, or the next is skipped
        session.batch(TestingBatches.timed(5, 20_000L, "k@12000=2"));
        await("batch 5 compared", () -> status("spend").getBatches() == 3);
        session.batch(TestingBatches.timed(6, 31_000L, "k@25000=3", "k@35000=4"));
        await("all compared", () -> status("spend").getBatches() == 4);

        AdminResponse promoted = registry.shadows().promote("spend");
        assertThat(promoted.getOk()).as(promoted.getMessage()).isTrue();
        assertThat(promoted.getMessage())
                .contains("not handed over in the sessions where its shadow skipped batches (1");
        session.barrier(3);
        ResultBatch answer = session.batch(TestingBatches.timed(7, 40_000L));

        // [30 s, 40 s) was open at the promote: the version before finishes it, as before
        assertThat(answer.getResultsList())
                .extracting(r -> r.getKey() + "=" + r.getWindow().getValue())
                .containsExactly("k=4.0");
        assertThat(versions(answer)).containsExactly(before);
    }

    @Test
    void aCandidateThatThrowsIsReportedFailingAndChangesNoActiveResult() throws Exception {
        byte[] jar = threshold();
        deploy(jar, "{\"limit\": 100}");
        Session plain = session("plain", true);
        Session shadowed = session("shadowed", true);
        byte[] throwing = jar("throwing", TestingRuleJars.THROWING, "testrules.Throwing");
        AdminResponse response =
                registry.shadows()
                        .shadow("throwing.jar", throwing, json("{\"id\": \"threshold\"}"));
        assertThat(response.getOk()).as(response.getMessage()).isTrue();
        plain.barrier(1);
        shadowed.barrier(1);

        EventBatch batch = TestingBatches.batch(1, "a=600", "bad", "b=50");
        ResultBatch expected = plain.batch(batch);
        ResultBatch actual = shadowed.batch(batch);
        await("the batch compared", () -> status("threshold").getBatches() >= 1);

        assertThat(actual.getResultsList()).isEqualTo(expected.getResultsList());
        assertThat(actual.getDeadLettersCount()).isZero();
        ShadowStatus status = status("threshold");
        assertThat(status.getState()).isEqualTo("failing");
        assertThat(status.getFailures()).isGreaterThanOrEqualTo(1);
        assertThat(status.getReason()).contains("no amount");
    }

    @Test
    void aCandidateThatFallsBehindSkipsBatchesAndNeverHoldsTheSessionBack() throws Exception {
        registry.shadows().configure(100, 1, Duration.ofSeconds(2));
        byte[] jar = threshold();
        deploy(jar, "{\"limit\": 100}");
        Session session = session("s1", false);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        System.getProperties().put("test.gate.entered", entered);
        System.getProperties().put("test.gate", gate);
        try {
            byte[] gated = jar("gate", TestingRuleJars.GATE, "testrules.Gate");
            registry.shadows().shadow("gate.jar", gated, json("{\"id\": \"threshold\"}"));
            session.batch(TestingBatches.batch(1, "gate"));
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue(); // the candidate is held

            session.batch(TestingBatches.batch(2, "a=600")); // queued (1 place)
            ResultBatch third = session.batch(TestingBatches.batch(3, "a=700")); // skipped
            session.batch(TestingBatches.batch(4, "a=800")); // skipped
            assertThat(third.getResultsCount()).isEqualTo(1); // the session went on

            assertThat(status("threshold").getSkippedBatches()).isEqualTo(2);
            assertThat(status("threshold").getState()).isEqualTo("slow");
            gate.countDown();
            await("the queued batch compared", () -> status("threshold").getBatches() == 2);
        } finally {
            gate.countDown();
            System.getProperties().remove("test.gate.entered");
            System.getProperties().remove("test.gate");
        }
    }

    @Test
    void unshadowDropsTheCandidateAndAShadowNeedsAnActiveVersion() throws Exception {
        byte[] jar = threshold();
        AdminResponse none = shadow(jar, "{\"limit\": 500}");
        assertThat(none.getOk()).isFalse();
        assertThat(none.getCode()).isEqualTo(DeployOutcome.UNKNOWN_RULE);

        deploy(jar, "{\"limit\": 100}");
        assertThat(shadow(jar, "{\"limit\": 500}").getOk()).isTrue();
        AdminResponse dropped = registry.shadows().unshadow("threshold");
        assertThat(dropped.getOk()).as(dropped.getMessage()).isTrue();
        assertThat(registry.shadows().unshadow("threshold").getCode()).isEqualTo(Shadows.NO_SHADOW);
        assertThat(registry.shadows().promote("threshold").getCode()).isEqualTo(Shadows.NO_SHADOW);
    }

    @Test
    void aCandidateIsValidatedAsADeployIs() throws Exception {
        deploy(threshold(), "{\"limit\": 100}");
        byte[] failing = jar("failing", TestingRuleJars.FAILING_OPEN, "testrules.FailingOpen");

        AdminResponse refused =
                registry.shadows().shadow("failing.jar", failing, json("{\"id\": \"threshold\"}"));

        assertThat(refused.getOk()).isFalse();
        assertThat(refused.getCode()).isEqualTo(DeployOutcome.REFUSED);
        assertThat(refused.getMessage()).contains("limit");
        assertThat(registry.shadows().status("").getShadowsCount()).isZero();
    }
}
