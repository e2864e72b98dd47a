package dev.flinksidecar.sidecar.deploy;

import static dev.flinksidecar.sidecar.deploy.TestingRegistry.versions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploy, activation, rollback and remove through the registry, with sessions' engines on it. */
class RuleRegistryTest {

    private static final String V1 = "{\"version\": \"1.0.0\", \"n\": 1}";
    private static final String V2 = "{\"version\": \"2.0.0\", \"n\": 2}";
    private static final String SUM =
            "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"version\": \"%s\"}";

    private static byte[] echo;
    private static byte[] sum;
    private static byte[] failing;

    @TempDir Path dir;

    private TestingRegistry rules;

    @BeforeAll
    static void buildJars() throws IOException {
        echo = RuleJarBuilder.jar("echo").source(SwapRules.ECHO).rules("testrules.Echo").bytes();
        sum =
                RuleJarBuilder.jar("sum")
                        .source(TestingRuleJars.WINDOWED_SUM)
                        .windowedRules("testrules.WindowedSum")
                        .bytes();
        failing =
                RuleJarBuilder.jar("echo")
                        .source(SwapRules.FAILS_TO_CONNECT)
                        .rules("testrules.FailsToConnect")
                        .bytes();
    }

    @BeforeEach
    void setUp() throws IOException {
        rules = new TestingRegistry(dir);
    }

    @AfterEach
    void tearDown() {
        rules.close();
    }

    @Test
    void aPerEventVersionIsActiveAtOnceAndEverySessionSwitchesAtItsNextBatch() {
        assertThat(rules.deploy("echo.jar", echo, V1).ok()).isTrue();
        RuleEngine a = rules.session("a", false, 0);
        RuleEngine b = rules.session("b", true, 0);
        String v1 = "echo@1.0.0+" + ContentHash.of(echo, bytes(V1));
        String v2 = "echo@2.0.0+" + ContentHash.of(echo, bytes(V2));

        assertThat(versions(a.process(TestingBatches.batch(1, "k1=1", "k2=2"))))
                .containsExactly(v1, v1);
        DeployOutcome deployed = rules.deploy("echo.jar", echo, V2);
        assertThat(deployed.message())
                .isEqualTo(
                        "deployed echo "
                                + v2.substring(5)
                                + ": active (per-event rule, each session "
                                + "switches at its next batch)");

        assertThat(versions(a.process(TestingBatches.batch(2, "k1=3", "k2=4"))))
                .containsExactly(v2, v2);
        assertThat(versions(b.process(TestingBatches.batch(1, "k3=5")))).containsExactly(v2);
        assertThat(a.process(TestingBatches.batch(3, "k1=6")).getRulesList())
                .extracting(RuleRef::getVersion)
                .as("the rule table names one version")
                .containsExactly(v2.substring(5));
        assertThat(rules.retiredNames())
                .as("v1 unloaded once no session runs it")
                .containsExactly("rule:" + v1);
        assertThat(((URLClassLoader) rules.retired.get(0)).getURLs()).isNotEmpty();

        RuleStatus status = rules.status("echo");
        assertThat(status.getActive().getVersion()).isEqualTo(v2.substring(5));
        assertThat(status.getActive().getEventsHandled()).isEqualTo(4);
        assertThat(status.getActive().getSessions()).isEqualTo(2);
        assertThat(status.getPrevious().getVersion()).isEqualTo(v1.substring(5));
        assertThat(status.getPrevious().getEventsHandled()).isEqualTo(2);
        assertThat(status.getPrevious().getRetiredAtMs())
                .isGreaterThanOrEqualTo(status.getActive().getActivatedAtMs());
    }

    @Test
    void aRefusedVersionChangesNothingAndTheActiveOneKeepsRunning() {
        rules.deploy("echo.jar", echo, V1);
        RuleEngine a = rules.session("a", false, 0);
        a.process(TestingBatches.batch(1, "k=1"));

        DeployOutcome refused = rules.deploy("echo.jar", failing, null);

        assertThat(refused.ok()).isFalse();
        assertThat(refused.code()).isEqualTo(DeployOutcome.REFUSED);
        assertThat(refused.message())
                .isEqualTo(
                        "rule jar echo.jar: rule testrules.FailsToConnect failed to open: "
                                + "java.lang.IllegalStateException: cannot reach the fraud database");
        assertThat(refused.detail())
                .contains("testrules.FailsToConnect.connect(FailsToConnect.java:5)");
        assertThat(versions(a.process(TestingBatches.batch(2, "k=2"))))
                .containsExactly("echo@1.0.0+" + ContentHash.of(echo, bytes(V1)));
        assertThat(rules.status("echo").hasStaged()).isFalse();
        assertThat(rules.registry.refusals())
                .extracting(r -> r.getSource() + ": " + r.getMessage())
                .containsExactly("admin echo.jar: " + refused.message());
        assertThat(rules.retiredNames()).as("the refused jar's loader is watched too").hasSize(1);
        assertThat(rules.store.size()).as("the refused jar's copy is gone").isOne();
    }

    @Test
    void everyKindOfRefusalHasItsOwnMessageAndLeavesTheActiveVersionRunning() throws IOException {
        rules.deploy("echo.jar", echo, V1);
        RuleEngine a = rules.session("a", false, 0);
        String v1 = "echo@1.0.0+" + ContentHash.of(echo, bytes(V1));
        byte[] corrupt = RuleJarBuilder.damaged(echo, "testrules/Echo.class");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put(
                "rule jar echo.jar has no rule",
                RuleJarBuilder.jar("echo").source(TestingRuleJars.NOT_A_RULE).bytes());
        bad.put("rule jar echo.jar: rule testrules.FailsToConnect failed to open", failing);
        bad.put(
                "rule jar echo.jar is incompatible: it was built for rule API 2.0",
                RuleJarBuilder.jar("echo")
                        .manifest("Rule-Api-Version", "2.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes());
        bad.put(
                "rule jar echo.jar: self-test failed: 1 of 1 results differ",
                RuleJarBuilder.jar("echo")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .resource("META-INF/sidecar/selftest.jsonl", "{\"key\":\"a\",\"time\":1}\n")
                        .resource(
                                "META-INF/sidecar/selftest-expected.jsonl",
                                "{\"key\":\"a\",\"time\":1,\"n\":42}\n")
                        .bytes());
        bad.put("rule jar echo.jar is corrupt", corrupt);
        bad.put("rule jar echo.jar is not a readable jar", Arrays.copyOf(echo, echo.length / 2));

        long batch = 0;
        for (Map.Entry<String, byte[]> jar : bad.entrySet()) {
            DeployOutcome outcome = rules.deploy("echo.jar", jar.getValue(), V2);
            assertThat(outcome.code()).as(jar.getKey()).isEqualTo(DeployOutcome.REFUSED);
            assertThat(outcome.message()).startsWith(jar.getKey());
            assertThat(versions(a.process(TestingBatches.batch(++batch, "k=1"))))
                    .as(jar.getKey())
                    .containsExactly(v1);
        }
        assertThat(rules.registry.refusals()).hasSize(bad.size());
        assertThat(rules.status("echo").getActive().getVersion()).isEqualTo(v1.substring(5));
        assertThat(rules.status("echo").hasPrevious()).isFalse();
        assertThat(rules.store.size()).as("only the active version's jar is kept").isOne();
    }

    @Test
    void aWindowedVersionIsStagedAndEverySessionSwitchesRightAfterTheSameCheckpoint() {
        assertThat(rules.deploy("sum.jar", sum, String.format(SUM, "1")).message())
                .endsWith(
                        ": active (windowed rule, no session sends checkpoint barriers: each switches at its next batch)");
        RuleEngine a = rules.session("a", true, 0);
        RuleEngine b = rules.session("b", true, 0);
        String v1 = "1+" + ContentHash.of(sum, bytes(String.format(SUM, "1")));
        String v2 = "2+" + ContentHash.of(sum, bytes(String.format(SUM, "2")));
        assertThat(refs(a.barrier(1))).containsExactly("sum@" + v1);
        assertThat(refs(b.barrier(1))).containsExactly("sum@" + v1);

        assertThat(rules.deploy("sum.jar", sum, String.format(SUM, "2")).message())
                .isEqualTo(
                        "deployed sum "
                                + v2
                                + ": staged (windowed rule, every session switches right after checkpoint barrier 2)");
        RuleStatus staged = rules.status("sum");
        assertThat(staged.getActive().getVersion()).isEqualTo(v1);
        assertThat(staged.getStaged().getVersion()).isEqualTo(v2);
        assertThat(staged.getStaged().getActivatesAfterCheckpoint()).isEqualTo(2);

        a.process(TestingBatches.timed(1, 999L, "k@100=1"));
        assertThat(refs(a.activeRules()))
                .as("batches before the barrier: the old version")
                .containsExactly("sum@" + v1);
        assertThat(refs(a.barrier(2))).containsExactly("sum@" + v2);
        assertThat(refs(b.activeRules()))
                .as("b has not reached barrier 2 yet")
                .containsExactly("sum@" + v1);
        b.process(TestingBatches.timed(1, 999L, "k@200=1"));
        assertThat(refs(b.activeRules())).containsExactly("sum@" + v1);
        assertThat(refs(b.barrier(2))).containsExactly("sum@" + v2);

        RuleStatus active = rules.status("sum");
        assertThat(active.getActive().getVersion()).isEqualTo(v2);
        assertThat(active.hasStaged()).isFalse();
        assertThat(active.getPrevious().getVersion()).isEqualTo(v1);
    }

    @Test
    void aSessionRestoredFromAnEarlierCheckpointReplaysWithTheVersionsOfTheFirstRun() {
        rules.deploy("sum.jar", sum, String.format(SUM, "1"));
        RuleEngine a = rules.session("a", true, 0);
        a.barrier(4);
        rules.deploy("sum.jar", sum, String.format(SUM, "2"));
        a.barrier(5);
        a.process(
                TestingBatches.timed(
                        1,
                        Long.MAX_VALUE,
                        "k@100=1")); // the old version's window fires: it is done
        String v1 = "1+" + ContentHash.of(sum, bytes(String.format(SUM, "1")));
        String v2 = "2+" + ContentHash.of(sum, bytes(String.format(SUM, "2")));

        RuleEngine restored = rules.session("restored", true, 4);
        assertThat(refs(restored.activeRules()))
                .as("restored from checkpoint 4: what ran after barrier 4")
                .containsExactly("sum@" + v1);
        assertThat(refs(restored.barrier(5))).containsExactly("sum@" + v2);
        RuleEngine fresh = rules.session("fresh", true, 0);
        assertThat(refs(fresh.activeRules())).containsExactly("sum@" + v2);

        restored.close();
        assertThat(rules.retiredNames())
                .as("a restore from before checkpoint 5 may still need v1")
                .isEmpty();
        a.completed(5);
        assertThat(rules.retiredNames())
                .as("checkpoint 5 completed: no restore needs v1")
                .containsExactly("rule:sum@" + v1);
    }

    @Test
    void rollbackReturnsToThePreviousVersionAndRemoveStopsTheRule() {
        rules.deploy("echo.jar", echo, V1);
        rules.deploy("echo.jar", echo, V2);
        RuleEngine a = rules.session("a", false, 0);
        String v1 = "1.0.0+" + ContentHash.of(echo, bytes(V1));
        String v2 = "2.0.0+" + ContentHash.of(echo, bytes(V2));
        assertThat(versions(a.process(TestingBatches.batch(1, "k=1"))))
                .containsExactly("echo@" + v2);

        DeployOutcome rollback = rules.registry.rollback("echo");
        assertThat(rollback.message())
                .isEqualTo(
                        "rolled back echo to "
                                + v1
                                + " (from "
                                + v2
                                + "): active (per-event rule, "
                                + "each session switches at its next batch)");
        assertThat(versions(a.process(TestingBatches.batch(2, "k=2"))))
                .containsExactly("echo@" + v1);
        assertThat(rules.status("echo").getPrevious().getVersion()).isEqualTo(v2);
        assertThat(rules.registry.rollback("echo").message())
                .startsWith("rolled back echo to " + v2);
        assertThat(versions(a.process(TestingBatches.batch(3, "k=3"))))
                .containsExactly("echo@" + v2);

        assertThat(rules.registry.remove("echo").message())
                .isEqualTo("removed echo: active (each session switches at its next batch)");
        assertThat(a.process(TestingBatches.batch(4, "k=4")).getResultsCount()).isZero();
        assertThat(rules.registry.status()).isEmpty();
        assertThat(rules.registry.remove("echo").code()).isEqualTo(DeployOutcome.UNKNOWN_RULE);
        assertThat(rules.registry.rollback("nope").message())
                .isEqualTo("no rule 'nope'; no rule is deployed");

        rules.deploy("solo.jar", echo, null);
        DeployOutcome none = rules.registry.rollback("solo");
        assertThat(none.code()).isEqualTo(DeployOutcome.NO_PREVIOUS);
        assertThat(none.message()).isEqualTo("rule solo has no previous version to roll back to");
    }

    @Test
    void anExplicitActivationCheckpointAlignsEvenAPerEventVersionAcrossSessions() {
        rules.deploy("echo.jar", echo, V1);
        RuleEngine a = rules.session("a", true, 0);
        RuleEngine b = rules.session("b", true, 0);
        a.barrier(7);
        String v1 = "echo@1.0.0+" + ContentHash.of(echo, bytes(V1));
        String v2 = "echo@2.0.0+" + ContentHash.of(echo, bytes(V2));

        DeployOutcome passed =
                rules.registry.deploy("echo.jar", echo, bytes(V2), "admin echo.jar", 7);
        assertThat(passed.code()).isEqualTo(DeployOutcome.CHECKPOINT_PASSED);
        assertThat(passed.message())
                .isEqualTo(
                        "checkpoint 7 has passed on this sidecar (its sessions sent barrier 7); choose one above 7");
        assertThat(
                        rules.registry
                                .deploy("echo.jar", echo, bytes(V2), "admin echo.jar", 9)
                                .message())
                .endsWith(
                        ": staged (per-event rule, every session switches right after checkpoint barrier 9)");

        assertThat(versions(b.process(TestingBatches.batch(1, "k=1")))).containsExactly(v1);
        assertThat(refs(b.barrier(8))).containsExactly(v1);
        assertThat(versions(b.process(TestingBatches.batch(2, "k=2")))).containsExactly(v1);
        assertThat(refs(b.barrier(9))).containsExactly(v2);
        assertThat(refs(a.barrier(10))).as("the first barrier at or after 9").containsExactly(v2);
    }

    @Test
    void
            deployingTheActiveWindowedVersionAgainDropsTheStagedOneAndASessionWithoutBarriersSwitchesAtItsNextBatch() {
        rules.deploy("sum.jar", sum, String.format(SUM, "1"));
        RuleEngine withBarriers = rules.session("a", true, 0);
        RuleEngine without = rules.session("b", false, 0);
        String v1 = "sum@1+" + ContentHash.of(sum, bytes(String.format(SUM, "1")));
        String v2 = "sum@2+" + ContentHash.of(sum, bytes(String.format(SUM, "2")));
        withBarriers.barrier(3);

        rules.deploy("sum.jar", sum, String.format(SUM, "2"));
        without.process(TestingBatches.timed(1, null, "k@1000=1"));
        assertThat(refs(without.activeRules()))
                .as("no barriers: at the next batch")
                .containsExactly(v2);
        assertThat(refs(withBarriers.activeRules())).containsExactly(v1);

        DeployOutcome again = rules.deploy("sum.jar", sum, String.format(SUM, "2"));
        assertThat(again.message())
                .isEqualTo(v2.replace('@', ' ') + " is already active; nothing changed");
        assertThat(rules.status("sum").getActive().getVersion())
                .as("b reached v2")
                .isEqualTo(v2.substring(4));

        rules.deploy("sum.jar", sum, String.format(SUM, "3"));
        without.close();
        DeployOutcome unstage = rules.deploy("sum.jar", sum, String.format(SUM, "2"));
        assertThat(unstage.message())
                .startsWith(v2.replace('@', ' ') + " is already active; the staged 3+");
        assertThat(rules.status("sum").hasStaged()).isFalse();
        assertThat(refs(withBarriers.barrier(4))).containsExactly(v2);
    }

    @Test
    void deployingTheActiveVersionAgainChangesNothing() {
        rules.deploy("echo.jar", echo, V1);
        RuleEngine a = rules.session("a", false, 0);
        a.process(TestingBatches.batch(1, "k=1"));

        DeployOutcome again = rules.deploy("echo.jar", echo, V1);

        assertThat(again.ok()).isTrue();
        assertThat(again.message())
                .isEqualTo(
                        "echo 1.0.0+"
                                + ContentHash.of(echo, bytes(V1))
                                + " is already active; nothing changed");
        assertThat(rules.retiredNames()).hasSize(1); // the second copy's loader, never used
        assertThat(rules.store.size()).isOne();
    }

    private static List<String> refs(List<RuleRef> refs) {
        return refs.stream()
                .map(r -> r.getId() + "@" + r.getVersion())
                .collect(Collectors.toList());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
