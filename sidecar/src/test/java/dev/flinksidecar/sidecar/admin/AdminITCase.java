package dev.flinksidecar.sidecar.admin;

import static dev.flinksidecar.sidecar.TestingFrames.barrier;
import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code admin} command end to end, against {@code serve} as a real child process: deploy,
 * list, status, rollback and remove, with sessions seeing each version switch at a batch boundary
 * (per-event rules) or right after a checkpoint barrier (windowed rules); refusals and usage errors
 * with their exit codes; and the watched rules directory.
 */
@Timeout(180)
class AdminITCase {

    @TempDir Path dir;

    private Path rulesDir;
    private Path jars;
    private Path socket;
    private ServeProcess sidecar;
    private TestingAdmin admin;

    @BeforeEach
    void startSidecar() throws IOException {
        rulesDir = Files.createDirectory(dir.resolve("rules"));
        jars = Files.createDirectory(dir.resolve("jars"));
        TestingRuleJars.threshold(rulesDir, "threshold", 100);
        socket = dir.resolve("s.sock");
        sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                List.of(),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rulesDir.toString(),
                                "-C",
                                "sidecar.rules.watch-interval=100ms")
                        .awaitAccepting();
        admin = new TestingAdmin(Path.of(socket + ".admin"));
    }

    @AfterEach
    void stopSidecar() {
        sidecar.close();
    }

    @Test
    void deployListStatusRollbackAndRemoveChangeWhatASessionRunsAtItsBatchBoundaries()
            throws Exception {
        Path echo =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .writeTo(jars);
        Path v1 = Files.writeString(jars.resolve("v1.json"), "{\"n\": 1}");
        Path v2 = Files.writeString(jars.resolve("v2.json"), "{\"n\": 2, \"version\": \"2.0.0\"}");
        String echo1 = "1.0.0+" + hash(echo, v1);
        String echo2 = "2.0.0+" + hash(echo, v2);
        String threshold = TestingVersions.version("1.0.0", rulesDir.resolve("threshold.jar"));

        try (TestingClient client = TestingClient.connect(socket)) {
            client.send(hello());
            assertThat(refs(client.receive().getWelcome().getRulesList()))
                    .containsExactly("threshold@" + threshold);

            assertThat(admin.run("deploy", echo.toString(), "--config", v1.toString()))
                    .as(admin.err())
                    .isZero();
            assertThat(admin.out())
                    .isEqualTo(
                            "deployed echo "
                                    + echo1
                                    + ": active (per-event rule, each session switches at its next batch)\n");
            assertThat(versionsOf(send(client, 1, "a=500", "b=5")))
                    .containsExactly("echo@" + echo1, "threshold@" + threshold, "echo@" + echo1);

            assertThat(admin.run("deploy", echo.toString(), "--config", v2.toString())).isZero();
            assertThat(versionsOf(send(client, 2, "a=1", "b=2", "c=3")))
                    .containsExactly("echo@" + echo2, "echo@" + echo2, "echo@" + echo2);

            assertThat(admin.run("list")).isZero();
            assertThat(admin.out().lines().map(line -> String.join(" ", line.split("\\s+"))))
                    .containsExactly(
                            "RULE KIND ACTIVE STAGED PREVIOUS EVENTS",
                            "echo per-event " + echo2 + " - " + echo1 + " 3",
                            "threshold per-event " + threshold + " - - 5");

            assertThat(admin.run("status")).isZero();
            assertThat(admin.out())
                    .contains(
                            "echo (per-event, from admin echo.jar)\n  active    "
                                    + echo2
                                    + "  activated 20")
                    .contains("  events 3  sessions 1\n  previous  " + echo1 + "  activated ")
                    .contains("threshold (per-event, from rules-dir threshold.jar)")
                    .contains("retired rule classloaders: ")
                    .contains("jvm: heap ");

            assertThat(admin.run("rollback", "echo")).isZero();
            assertThat(admin.out())
                    .isEqualTo(
                            "rolled back echo to "
                                    + echo1
                                    + " (from "
                                    + echo2
                                    + "): active (per-event rule, each session switches at its next batch)\n");
            assertThat(versionsOf(send(client, 3, "a=1"))).containsExactly("echo@" + echo1);

            assertThat(admin.run("remove", "echo")).isZero();
            assertThat(admin.out())
                    .isEqualTo("removed echo: active (each session switches at its next batch)\n");
            assertThat(versionsOf(send(client, 4, "a=500")))
                    .containsExactly("threshold@" + threshold);
        }
    }

    @Test
    void aRefusedJarExitsWithOneAndItsReasonAndTheActiveVersionsKeepRunning() throws Exception {
        Path bad =
                RuleJarBuilder.jar("threshold")
                        .version("9.0.0")
                        .source(SwapRules.FAILS_TO_CONNECT)
                        .rules("testrules.FailsToConnect")
                        .writeTo(jars);
        try (TestingClient client = TestingClient.connect(socket)) {
            client.send(hello());
            client.receive();

            assertThat(admin.run("deploy", bad.toString())).isEqualTo(1);
            assertThat(admin.err())
                    .startsWith(
                            "sidecar admin deploy: rule jar threshold.jar: rule testrules.FailsToConnect failed "
                                    + "to open: java.lang.IllegalStateException: cannot reach the fraud database\n"
                                    + "java.lang.IllegalStateException: cannot reach the fraud database\n\tat rule:threshold@9.0.0+");
            assertThat(admin.out()).isEmpty();
            assertThat(TestingVersions.normalised(lines(send(client, 1, "a=500")), rulesDir))
                    .containsExactly(
                            "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"a\",\"time\":1000,\"amount\":500,\"source\":\"threshold\"}");

            assertThat(admin.run("status")).isZero();
            assertThat(admin.out())
                    .contains("refused recently:\n  20")
                    .contains(
                            "  admin threshold.jar: rule jar threshold.jar: rule "
                                    + "testrules.FailsToConnect failed to open");
        }
        assertThat(admin.run("rollback", "nope")).isEqualTo(1);
        assertThat(admin.err())
                .isEqualTo("sidecar admin rollback: no rule 'nope'; rules: threshold\n");
        assertThat(admin.run("rollback", "threshold")).isEqualTo(1);
        assertThat(admin.err())
                .isEqualTo(
                        "sidecar admin rollback: rule threshold has no previous version to roll back to\n");
    }

    @Test
    void usageErrorsExitWithTwoAndAnUnreachableSidecarWithOne() {
        assertThat(admin.run("deploy")).isEqualTo(2);
        assertThat(admin.err())
                .startsWith("sidecar admin deploy: Missing required parameter: 'JAR'");
        assertThat(admin.run("deploy", dir.resolve("missing.jar").toString())).isEqualTo(2);
        assertThat(admin.err())
                .isEqualTo(
                        "sidecar admin deploy: rule jar "
                                + dir.resolve("missing.jar")
                                + " does not exist\n");
        assertThat(admin.run()).isEqualTo(2);
        assertThat(admin.err())
                .startsWith(
                        "sidecar admin: missing an admin command: deploy, list, status, rollback, remove,"
                                + " shadow, shadow-status, promote or unshadow");

        TestingAdmin nowhere = new TestingAdmin(dir.resolve("nowhere.admin"));
        assertThat(nowhere.run("list")).isEqualTo(1);
        assertThat(nowhere.err())
                .startsWith(
                        "sidecar admin list: cannot reach the sidecar's admin socket "
                                + dir.resolve("nowhere.admin"));
    }

    @Test
    void aWindowedVersionBecomesActiveRightAfterTheSameBarrierOnEverySession() throws Exception {
        Path sum =
                RuleJarBuilder.jar("sum")
                        .version("1.0.0")
                        .source(TestingRuleJars.WINDOWED_SUM)
                        .windowedRules("testrules.WindowedSum")
                        .writeTo(jars);
        Path v1 =
                Files.writeString(
                        jars.resolve("s1.json"),
                        "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}}");
        Path v2 =
                Files.writeString(
                        jars.resolve("s2.json"),
                        "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"version\": \"2\"}");
        String sum1 = "1.0.0+" + hash(sum, v1);
        String sum2 = "2+" + hash(sum, v2);
        assertThat(admin.run("deploy", sum.toString(), "--config", v1.toString())).isZero();

        try (TestingClient a = TestingClient.connect(socket);
                TestingClient b = TestingClient.connect(socket)) {
            for (TestingClient client : List.of(a, b)) {
                client.send(hello(true, 0));
                client.receive();
                client.send(barrier(7));
                assertThat(refs(client.receive().getCheckpointAck().getRulesList()))
                        .containsExactly(
                                "sum@" + sum1,
                                "threshold@"
                                        + TestingVersions.version(
                                                "1.0.0", rulesDir.resolve("threshold.jar")));
            }
            assertThat(
                            admin.run(
                                    "deploy",
                                    sum.toString(),
                                    "--config",
                                    v2.toString(),
                                    "--at-checkpoint",
                                    "7"))
                    .isEqualTo(1);
            assertThat(admin.err())
                    .isEqualTo(
                            "sidecar admin deploy: checkpoint 7 has passed on this sidecar (its sessions sent "
                                    + "barrier 7); choose one above 7\n");
            assertThat(admin.run("deploy", sum.toString(), "--config", v2.toString())).isZero();
            assertThat(admin.out())
                    .isEqualTo(
                            "deployed sum "
                                    + sum2
                                    + ": staged (windowed rule, every session switches right after "
                                    + "checkpoint barrier 8)\n");

            for (TestingClient client : List.of(a, b)) {
                assertThat(ruleVersions(sendTimed(client, 1, Long.MAX_VALUE - 1, "k@1000=5")))
                        .containsExactly(sum1, threshold());
                client.send(barrier(8));
                ServerMessage ack = client.receive();
                assertThat(ack.getCheckpointAck().getCheckpointId()).isEqualTo(8);
                assertThat(refs(ack.getCheckpointAck().getRulesList())).contains("sum@" + sum2);
                assertThat(ruleVersions(sendTimed(client, 2, Long.MAX_VALUE - 1, "k@20000=5")))
                        .containsExactly(sum2, threshold());
            }
            assertThat(admin.run("status")).isZero();
            assertThat(admin.out())
                    .contains("sum (windowed, from admin sum.jar)\n  active    " + sum2)
                    .contains("last checkpoint barrier 8");
        }
    }

    @Test
    void aJarDroppedIntoTheRulesDirectoryIsDeployedOnlyOnceItIsComplete() throws Exception {
        byte[] echo =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes();
        Path target = rulesDir.resolve("echo.jar");
        Files.write(target, Arrays.copyOf(echo, echo.length / 2)); // a writer that stalls half way

        Deadline.await(
                "the half-written jar to be refused",
                Duration.ofSeconds(30),
                () ->
                        statusOut()
                                .contains(
                                        "rules-dir echo.jar: rule jar echo.jar is not a readable jar"));
        assertThat(listOut()).doesNotContain("echo");

        Files.write(target, echo);
        Deadline.await(
                "the complete jar to be deployed",
                Duration.ofSeconds(30),
                () -> listOut().contains("echo "));
        assertThat(listOut()).contains("1.0.0+" + TestingVersions.hash(target));

        Path staging =
                rulesDir.resolve(".echo.jar.tmp"); // the safe way: write hidden, rename into place
        Files.write(
                staging,
                RuleJarBuilder.jar("echo")
                        .version("1.1.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes());
        Files.move(
                staging,
                target,
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Deadline.await(
                "the replaced jar to be deployed",
                Duration.ofSeconds(30),
                () -> listOut().contains("1.1.0+"));
        assertThat(sidecar.logText())
                .containsPattern("deployed echo@1\\.1\\.0\\+[0-9a-f]{7} from rules-dir echo\\.jar");
    }

    private String listOut() {
        assertThat(admin.run("list")).isZero();
        return admin.out();
    }

    private String statusOut() {
        assertThat(admin.run("status")).isZero();
        return admin.out();
    }

    private String threshold() {
        return TestingVersions.version("1.0.0", rulesDir.resolve("threshold.jar"));
    }

    private static ResultBatch send(TestingClient client, long sequence, String... events)
            throws IOException {
        client.send(events(TestingBatches.batch(sequence, events)));
        return client.receive().getResults();
    }

    private static ResultBatch sendTimed(
            TestingClient client, long sequence, long watermark, String... events)
            throws IOException {
        client.send(events(TestingBatches.timed(sequence, watermark, events)));
        return client.receive().getResults();
    }

    private static List<String> versionsOf(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(r -> answer.getRules(r.getRule()))
                .map(r -> r.getId() + "@" + r.getVersion())
                .collect(Collectors.toList());
    }

    private static List<String> ruleVersions(ResultBatch answer) {
        return answer.getRulesList().stream().map(RuleRef::getVersion).collect(Collectors.toList());
    }

    private static List<String> lines(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(
                        r ->
                                dev.flinksidecar.events.wire.ResultJson.toJson(
                                        answer.getRules(r.getRule()), r))
                .collect(Collectors.toList());
    }

    private static List<String> refs(List<RuleRef> refs) {
        return refs.stream()
                .map(r -> r.getId() + "@" + r.getVersion())
                .collect(Collectors.toList());
    }

    private static String hash(Path jar, Path config) throws IOException {
        return TestingVersions.hash(Files.readAllBytes(jar), Files.readAllBytes(config));
    }
}
