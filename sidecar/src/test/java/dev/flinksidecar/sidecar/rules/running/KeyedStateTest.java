package dev.flinksidecar.sidecar.rules.running;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session engine's keyed state: at each barrier only the keys whose windows changed, a key whose
 * windows are all gone written empty; restored state back into the windows of a fresh engine, with
 * a message for every key, or rule's part of a key, that cannot be restored.
 */
class KeyedStateTest {

    private static final String TUMBLING_10S =
            "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}";

    @TempDir Path dir;

    @Test
    void onlyChangedKeysAreWrittenAndAKeyWhoseWindowsAreAllGoneIsWrittenEmpty() throws IOException {
        TestingRuleJars.windowedSum(dir, "sum", TUMBLING_10S + "}");
        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = keyed(rules)) {
            engine.process(TestingBatches.timed(1, null, "a@1000=1", "b@2000=2", "c@15000=4"));
            assertThat(snapshot(engine, 1))
                    .containsOnlyKeys("a", "b", "c")
                    .allSatisfy((key, state) -> assertThat(state).isNotEmpty());

            engine.process(TestingBatches.timed(2, 9999L, "a@3000=8"));
            Map<String, byte[]> second = snapshot(engine, 2);
            assertThat(second)
                    .as("a and b fired and were purged; c did not change")
                    .containsOnlyKeys("a", "b");
            assertThat(second.get("a")).isEmpty();
            assertThat(second.get("b")).isEmpty();

            engine.process(TestingBatches.timed(3, null, "c@16000=1", "x@500=1"));
            assertThat(snapshot(engine, 3))
                    .as("a late event changes nothing")
                    .containsOnlyKeys("c");
            assertThat(snapshot(engine, 4)).isEmpty();
        }
    }

    @Test
    void aFiredWindowKeptForItsLatenessChangesItsKeyWhenTheWatermarkFiresIt() throws IOException {
        TestingRuleJars.windowedSum(dir, "sum", TUMBLING_10S + ", \"allowed_lateness_ms\": 5000}");
        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine engine = keyed(rules)) {
            engine.process(TestingBatches.timed(1, null, "a@1000=1"));
            byte[] open = snapshot(engine, 1).get("a");
            engine.process(TestingBatches.timed(2, 9999L));
            byte[] fired = snapshot(engine, 2).get("a");

            assertThat(fired)
                    .as("the same window, now fired: only the fired bit differs")
                    .hasSameSizeAs(open)
                    .isNotEqualTo(open);
            engine.process(TestingBatches.timed(3, 14_999L));
            assertThat(snapshot(engine, 3).get("a")).as("cleaned up").isEmpty();
        }
    }

    @Test
    void severalRulesOfAKeyRestoreIntoAFreshEngineAndGoOnAsTheFirst() throws IOException {
        TestingRuleJars.windowedSum(
                dir, "a-sum", TUMBLING_10S + ", \"allowed_lateness_ms\": 3000}");
        TestingRuleJars.windowedSum(
                dir, "b-sessions", "{\"window\": {\"type\": \"session\", \"gap\": \"4s\"}}");
        TestingRuleJars.threshold(dir, "c-threshold", 100);
        try (RuleSet rules = RuleSet.load(dir);
                RuleEngine first = keyed(rules);
                RuleEngine second = keyed(rules)) {
            first.process(TestingBatches.timed(1, 10_500L, "k@1000=1", "k@6000=2", "k@11000=500"));
            Map<String, byte[]> state = snapshot(first, 1);
            assertThat(second.restore(states(state))).isEmpty();
            second.process(
                    TestingBatches.timed(1, 10_500L)); // the watermark the client had forwarded

            ResultBatch expected =
                    first.process(TestingBatches.timed(2, Long.MAX_VALUE, "k@2000=4", "k@13000=8"));
            ResultBatch actual =
                    second.process(
                            TestingBatches.timed(2, Long.MAX_VALUE, "k@2000=4", "k@13000=8"));

            assertThat(RuleEngineTest.lines(actual, dir))
                    .isEqualTo(RuleEngineTest.lines(expected, dir))
                    .contains(
                            "{\"rule\":\"a-sum\",\"version\":\"1.0.0\",\"key\":\"k\",\"window_start\":0,\"window_end\":10000,\"value\":7.0,\"count\":3}",
                            "{\"rule\":\"a-sum\",\"version\":\"1.0.0\",\"key\":\"k\",\"window_start\":10000,\"window_end\":20000,\"value\":508.0,\"count\":2}",
                            "{\"rule\":\"b-sessions\",\"version\":\"1.0.0\",\"key\":\"k\",\"window_start\":11000,\"window_end\":17000,\"value\":508.0,\"count\":2}");
            assertThat(snapshot(second, 2)).isEqualTo(snapshot(first, 2));
        }
    }

    @Test
    void aKeyStateThatCannotBeReadIsDroppedWithTheReasonAndTheOtherKeysAreRestored()
            throws IOException {
        Path before = Files.createDirectory(dir.resolve("before"));
        Path after = Files.createDirectory(dir.resolve("after"));
        TestingRuleJars.windowedSum(before, "sum", TUMBLING_10S + "}");
        TestingRuleJars.windowedSum(before, "gone", TUMBLING_10S + "}");
        Files.copy(
                before.resolve("sum.jar"),
                after.resolve("sum.jar")); // the same bytes: the same version
        Files.copy(before.resolve("sum.json"), after.resolve("sum.json"));
        Map<String, byte[]> state;
        try (RuleSet rules = RuleSet.load(before);
                RuleEngine engine = keyed(rules)) {
            engine.process(
                    TestingBatches.timed(
                            1, null, "k1@1000=1", "k2@1000=2", "k3@1000=4", "k4@1000=8"));
            state = snapshot(engine, 1);
        }
        state.get("k2")[0] = 7;
        state.put("k3", Arrays.copyOf(state.get("k3"), state.get("k3").length - 1));

        try (RuleSet rules = RuleSet.load(after);
                RuleEngine engine = keyed(rules)) {
            List<String> dropped = engine.restore(states(state));

            String gone = "gone@" + TestingVersions.version("1.0.0", before.resolve("gone.jar"));
            assertThat(dropped).hasSize(4);
            assertThat(dropped.get(0))
                    .startsWith("the windows of rule " + gone + " (class #")
                    .endsWith(
                            ", tumbling(10s), lateness 0 ms, no layout) in the state of key 'k1' are dropped: rule 'gone' is not deployed in this sidecar, "
                                    + "and its version "
                                    + gone.substring(5)
                                    + " is not loaded");
            assertThat(dropped.get(1))
                    .isEqualTo(
                            "the state of key 'k2' is dropped: the state has format version 7, which this sidecar does not read "
                                    + "(it reads 1)");
            assertThat(dropped.get(2))
                    .isEqualTo(
                            "the state of key 'k3' is dropped: the state is truncated: it ends inside window 1 of 1 of rule "
                                    + "'sum' ("
                                    + state.get("k3").length
                                    + " bytes)");
            assertThat(dropped.get(3))
                    .contains("in the state of key 'k4' are dropped: rule 'gone' is not deployed");

            ResultBatch fired = engine.process(TestingBatches.timed(1, Long.MAX_VALUE));
            assertThat(RuleEngineTest.lines(fired, after))
                    .containsExactly(
                            "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"k1\",\"window_start\":0,\"window_end\":10000,\"value\":1.0,\"count\":1}",
                            "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"k4\",\"window_start\":0,\"window_end\":10000,\"value\":8.0,\"count\":1}");
            assertThat(snapshot(engine, 1))
                    .as("every key that lost state is written again")
                    .containsOnlyKeys("k1", "k2", "k3", "k4")
                    .allSatisfy((key, bytes) -> assertThat(bytes).isEmpty());
        }
    }

    @Test
    void aNewerVersionWithTheSameLayoutTakesRestoredWindowsOverAndAnotherLayoutCannot()
            throws IOException {
        Path v1 = Files.createDirectory(dir.resolve("v1"));
        Path sameLayout = Files.createDirectory(dir.resolve("v2"));
        Path otherLayout = Files.createDirectory(dir.resolve("v3"));
        layoutSum(
                v1,
                "{" + TUMBLING_10S.substring(1) + ", \"version\": \"1\", \"layout\": \"sum/1\"}");
        layoutSum(
                sameLayout,
                "{"
                        + TUMBLING_10S.substring(1)
                        + ", \"version\": \"2\", \"layout\": \"sum/1\", \"bonus\": 100}");
        layoutSum(
                otherLayout,
                "{" + TUMBLING_10S.substring(1) + ", \"version\": \"3\", \"layout\": \"sum/2\"}");
        Map<String, byte[]> state;
        try (RuleSet rules = RuleSet.load(v1);
                RuleEngine engine = keyed(rules)) {
            engine.process(TestingBatches.timed(1, null, "k@1000=5", "k@2000=7"));
            state = snapshot(engine, 1);
        }

        try (RuleSet rules = RuleSet.load(sameLayout);
                RuleEngine engine = keyed(rules)) {
            assertThat(engine.restore(states(state))).isEmpty();
            assertThat(snapshot(engine, 2))
                    .as("its state now names version 2")
                    .containsOnlyKeys("k");
            ResultBatch fired = engine.process(TestingBatches.timed(1, Long.MAX_VALUE, "k@3000=1"));
            assertThat(RuleEngineTest.lines(fired, sameLayout))
                    .containsExactly(
                            "{\"rule\":\"sum\",\"version\":\"2\",\"key\":\"k\",\"window_start\":0,\"window_end\":10000,\"value\":113.0,\"count\":3}");
        }
        try (RuleSet rules = RuleSet.load(otherLayout);
                RuleEngine engine = keyed(rules)) {
            List<String> dropped = engine.restore(states(state));

            assertThat(dropped)
                    .singleElement()
                    .asString()
                    .contains("in the state of key 'k' are dropped: version 1+")
                    .contains(
                            " is not loaded in this sidecar any more, and the running version sum@3+")
                    .endsWith(
                            "layout sum/2) cannot take its windows over (that needs the same windows, allowed lateness and non-null state layout)");
            assertThat(snapshot(engine, 2)).as("written again: empty").containsOnlyKeys("k");
        }
    }

    private static void layoutSum(Path dir, String config) throws IOException {
        TestingRuleJars.config(dir, "sum", config);
        TestingRuleJars.windowedJar(
                dir, "sum", "1.0.0", SwapRules.LAYOUT_SUM, "testrules.LayoutSum");
    }

    private static RuleEngine keyed(RuleSet rules) {
        return RuleEngine.open(rules.open("test", true, 0), "test", true);
    }

    /**
     * The engine's state after barrier {@code checkpointId}, by key (empty arrays for keys without
     * windows).
     */
    static Map<String, byte[]> snapshot(RuleEngine engine, long checkpointId) throws IOException {
        engine.barrier(checkpointId);
        Map<String, byte[]> state = new LinkedHashMap<>();
        engine.snapshot(
                key ->
                        assertThat(state.put(key.getKey(), key.getState().toByteArray()))
                                .as("key %s once", key.getKey())
                                .isNull());
        return state;
    }

    static List<KeyState> states(Map<String, byte[]> state) {
        List<KeyState> keys = new ArrayList<>();
        state.forEach(
                (key, bytes) ->
                        keys.add(
                                KeyState.newBuilder()
                                        .setKey(key)
                                        .setState(ByteString.copyFrom(bytes))
                                        .build()));
        return keys;
    }
}
