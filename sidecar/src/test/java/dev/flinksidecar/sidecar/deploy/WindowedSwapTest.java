package dev.flinksidecar.sidecar.deploy;

import static dev.flinksidecar.sidecar.deploy.TestingRegistry.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.rules.running.RuleFeed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open windows across a swap of a windowed rule at a checkpoint barrier: carried over to the new
 * version when it declares the same accumulator layout, else finished under the old version, never
 * lost.
 */
class WindowedSwapTest {

    private static final String WINDOW = "\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}";

    private static byte[] jar;

    @TempDir Path dir;

    private TestingRegistry rules;
    private RuleEngine session;

    @BeforeAll
    static void buildJar() throws IOException {
        jar =
                RuleJarBuilder.jar("sum")
                        .source(SwapRules.LAYOUT_SUM)
                        .windowedRules("testrules.LayoutSum")
                        .bytes();
    }

    @BeforeEach
    void setUp() throws IOException {
        rules = new TestingRegistry(dir);
        session = rules.session("a", true, 0);
    }

    @AfterEach
    void tearDown() {
        rules.close();
    }

    @Test
    void theSameLayoutCarriesTheOpenWindowsOverToTheNewVersion() {
        String v1 = deploy("{" + WINDOW + ", \"version\": \"1\", \"layout\": \"sum/1\"}");
        session.barrier(1);
        session.process(TestingBatches.timed(1, 2999L, "a@1000=5", "a@2000=7"));
        String v2 =
                deploy(
                        "{"
                                + WINDOW
                                + ", \"version\": \"2\", \"layout\": \"sum/1\", \"bonus\": 100}");

        session.barrier(2);
        ResultBatch fired = session.process(TestingBatches.timed(2, 20_000L, "a@3000=1"));

        assertThat(lines(fired))
                .containsExactly(
                        "{\"rule\":\"sum\",\"version\":\""
                                + v2
                                + "\",\"key\":\"a\",\"window_start\":0,\"window_end\":10000,\"value\":113.0,\"count\":3}");
        assertThat(fired.getRulesList())
                .extracting(RuleRef::getVersion)
                .as("the old version is gone")
                .containsExactly(v2);
        assertThat(rules.retiredNames()).isEmpty(); // a restore from checkpoint 1 may still need it
        session.completed(2);
        assertThat(rules.retiredNames()).containsExactly("rule:sum@" + v1);
    }

    @Test
    void anotherLayoutLetsTheOldVersionFinishTheWindowsItOpened() {
        String v1 = deploy("{" + WINDOW + ", \"version\": \"1\"}");
        session.barrier(1);
        session.process(TestingBatches.timed(1, 2999L, "a@1000=5", "a@2000=7"));
        String v2 = deploy("{" + WINDOW + ", \"version\": \"2\", \"bonus\": 100}");

        session.barrier(2);
        ResultBatch fired =
                session.process(
                        TestingBatches.timed(2, 20_000L, "a@3000=1", "a@12000=1", "b@4000=2"));

        assertThat(lines(fired))
                .containsExactly(
                        "{\"rule\":\"sum\",\"version\":\""
                                + v1
                                + "\",\"key\":\"a\",\"window_start\":0,\"window_end\":10000,\"value\":13.0,\"count\":3}",
                        "{\"rule\":\"sum\",\"version\":\""
                                + v2
                                + "\",\"key\":\"b\",\"window_start\":0,\"window_end\":10000,\"value\":102.0,\"count\":1}",
                        "{\"rule\":\"sum\",\"version\":\""
                                + v2
                                + "\",\"key\":\"a\",\"window_start\":10000,\"window_end\":20000,\"value\":101.0,\"count\":1}");
        assertThat(fired.getLateEventsList()).isEmpty();
        ResultBatch next = session.process(TestingBatches.timed(3, null, "a@21000=1"));
        assertThat(next.getRulesList())
                .extracting(RuleRef::getVersion)
                .as("v1 closed once its windows fired")
                .containsExactly(v2);
        session.completed(2);
        assertThat(rules.retiredNames()).containsExactly("rule:sum@" + v1);
    }

    @Test
    void aRemovedWindowedRuleLeavesAfterTheBarrierAndItsOpenWindowsStillFire() {
        String v1 = deploy("{" + WINDOW + ", \"version\": \"1\"}");
        session.barrier(1);
        session.process(TestingBatches.timed(1, 2999L, "a@1000=5"));

        assertThat(rules.registry.remove("sum").message())
                .isEqualTo(
                        "removed sum: staged (every session switches right after checkpoint barrier 2)");
        assertThat(rules.status("sum").getRemoving()).isTrue();
        assertThat(session.process(TestingBatches.timed(2, 3999L, "a@2000=1")).getRulesList())
                .extracting(RuleRef::getVersion)
                .as("still there before the barrier")
                .containsExactly(v1);
        assertThat(session.barrier(2)).isEmpty();
        ResultBatch fired =
                session.process(TestingBatches.timed(3, 20_000L, "a@3000=1", "c@5000=1"));

        assertThat(lines(fired))
                .containsExactly(
                        "{\"rule\":\"sum\",\"version\":\""
                                + v1
                                + "\",\"key\":\"a\",\"window_start\":0,\"window_end\":10000,\"value\":7.0,\"count\":3}");
        assertThat(session.process(TestingBatches.timed(4, null, "a@30000=1")).getRulesCount())
                .isZero();
        assertThat(rules.registry.status()).isEmpty();
    }

    @Test
    void aNewVersionTellsLateEventsByTheSessionsWatermarkFromItsFirstEvent() {
        deploy("{" + WINDOW + ", \"version\": \"1\"}");
        session.barrier(1);
        session.process(TestingBatches.timed(1, 15_000L, "a@1000=5"));
        String v2 = deploy("{" + WINDOW + ", \"version\": \"2\"}");
        session.barrier(2);

        ResultBatch next = session.process(TestingBatches.timed(2, null, "b@3000=1"));

        assertThat(next.getLateEventsList())
                .as("late by watermark 15000, though version 2 has seen no watermark yet")
                .singleElement()
                .satisfies(
                        late ->
                                assertThat(next.getRules(late.getRule()).getVersion())
                                        .isEqualTo(v2));
        assertThat(lines(session.process(TestingBatches.timed(3, 30_000L)))).isEmpty();
    }

    @Test
    void anOlderVersionWhoseWindowsACheckpointHoldsStaysRestorableUntilALaterCheckpointCompletes() {
        RuleEngine keyed = rules.session("keyed", true, 0, true);
        String v1 = deploy("{" + WINDOW + ", \"version\": \"1\"}");
        keyed.barrier(1);
        keyed.process(TestingBatches.timed(1, 2999L, "a@1000=5"));
        deploy("{" + WINDOW + ", \"version\": \"2\", \"bonus\": 100}");
        keyed.barrier(2);
        session.barrier(1);
        session.barrier(2);
        keyed.completed(2);

        assertThat(restorable(v1, 2))
                .as("checkpoint 2 holds the windows version 1 finishes")
                .isTrue();
        keyed.process(TestingBatches.timed(2, 20_000L));
        keyed.barrier(3);
        session.barrier(3);
        assertThat(restorable(v1, 3)).as("until a checkpoint without them completes").isTrue();
        keyed.completed(3);
        assertThat(restorable(v1, 3)).isFalse();
        assertThat(rules.retiredNames()).containsExactly("rule:sum@" + v1);
    }

    /**
     * Whether a session restored from {@code checkpoint} could still be given version {@code
     * version} of the rule.
     */
    private boolean restorable(String version, long checkpoint) {
        RuleFeed feed = rules.registry.open("probe", true, checkpoint);
        try {
            RuleVersion found = feed.restorable("sum", version);
            if (found != null) {
                found.release();
            }
            return found != null;
        } finally {
            feed.close();
        }
    }

    private String deploy(String config) {
        DeployOutcome outcome = rules.deploy("sum.jar", jar, config);
        assertThat(outcome.ok()).as(outcome.message()).isTrue();
        String base = config.replaceAll(".*\"version\": \"([^\"]+)\".*", "$1");
        return base + "+" + ContentHash.of(jar, config.getBytes(StandardCharsets.UTF_8));
    }
}
