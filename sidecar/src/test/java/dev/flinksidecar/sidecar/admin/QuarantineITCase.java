package dev.flinksidecar.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.DeployRequest;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.StatusRequest;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sidecar with one rule thread and a small heap, given a rule that loops forever (deaf to
 * interrupts) and one that fills the heap, deployed beside a good rule while a session runs: both
 * are quarantined, the good rule's results are exact, the stuck thread is abandoned so the session
 * and a fresh one keep being answered, and {@code admin status} and {@code /health/ready} say so.
 */
@Timeout(120)
class QuarantineITCase {

    private static final String LOOPING_FOREVER =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class LoopingForever implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    while (event.key().equals(\"loop\")) { Thread.onSpinWait(); }\n"
                    + "  }\n"
                    + "}\n";

    private static final String HEAP_FILLING =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class HeapFilling implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    if (!event.key().equals(\"hog\")) { return; }\n"
                    + "    java.util.List<long[]> hog = new java.util.ArrayList<>();\n"
                    + "    while (true) { hog.add(new long[1 << 20]); }\n"
                    + "  }\n"
                    + "}\n";

    /**
     * Fills the heap slowly (512 KiB per 5 ms), so that the watchdog sees it at work before it
     * dies.
     */
    private static final String SLOW_HEAP_FILLING =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class SlowHeapFilling implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) throws Exception {\n"
                    + "    if (!event.key().equals(\"hog\")) { return; }\n"
                    + "    java.util.List<long[]> hog = new java.util.ArrayList<>();\n"
                    + "    while (true) { hog.add(new long[1 << 16]); Thread.sleep(5); }\n"
                    + "  }\n"
                    + "}\n";

    @TempDir Path dir;

    @Test
    void aRuleWhoseOpenLoopsIsRefusedAtTheValidationTimeoutAndAdminGoesOn() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        Path socket = dir.resolve("s.sock");
        Path admin = Path.of(socket + ".admin");
        String loopingOpen =
                "package testrules;\n"
                        + "import dev.flinksidecar.rule.*;\n"
                        + "public final class LoopingOpen implements Rule {\n"
                        + "  public void open(RuleContext context) { while (true) { Thread.onSpinWait(); } }\n"
                        + "  public void onEvent(Event event, ResultCollector out) {}\n"
                        + "}\n";
        try (ServeProcess sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString(),
                                "-C",
                                "sidecar.rules.validation-timeout=2s",
                                "-C",
                                "sidecar.rules.watch-interval=0ms")
                        .awaitAccepting()) {
            byte[] jar =
                    RuleJarBuilder.jar("stuck")
                            .version("1.0.0")
                            .source(loopingOpen)
                            .rules("testrules.LoopingOpen")
                            .bytes();
            AdminResponse refused =
                    AdminClient.call(
                            admin,
                            AdminRequest.newBuilder()
                                    .setDeploy(
                                            DeployRequest.newBuilder()
                                                    .setFileName("stuck.jar")
                                                    .setJar(ByteString.copyFrom(jar)))
                                    .build());

            assertThat(refused.getOk()).isFalse();
            assertThat(refused.getMessage())
                    .contains("stuck.jar")
                    .contains("did not finish within 2000 ms (sidecar.rules.validation-timeout)");
            AdminResponse status =
                    AdminClient.call(
                            admin,
                            AdminRequest.newBuilder()
                                    .setStatus(StatusRequest.getDefaultInstance())
                                    .build());
            assertThat(status.getRulesList())
                    .extracting(r -> r.getId())
                    .containsExactly("threshold");
        }
    }

    @Test
    void aRuleThatKillsTheSidecarComesBackQuarantinedAfterTheRestart() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        RuleJarBuilder.jar("hog")
                .version("1.0.0")
                .source(SLOW_HEAP_FILLING)
                .rules("testrules.SlowHeapFilling")
                .writeTo(rules);
        Path socket = dir.resolve("s.sock");
        List<String> args =
                List.of(
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--rules-dir",
                        rules.toString(),
                        "-C",
                        "sidecar.rules.batch-budget=60s",
                        "-C",
                        "sidecar.rules.watch-interval=0ms");
        List<String> dyingOnOutOfMemory = List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError");
        try (ServeProcess first =
                        ServeProcess.start(
                                        dir.resolve("first.log"),
                                        dyingOnOutOfMemory,
                                        args.toArray(String[]::new))
                                .awaitAccepting();
                TestingClient session = TestingClient.connect(socket)) {
            session.send(TestingFrames.hello());
            assertThat(session.receive().hasWelcome()).isTrue();
            session.send(TestingFrames.events(TestingBatches.batch(1, "ok=200", "hog=300")));
            assertThat(first.awaitExit()).isNotZero();
            assertThat(first.logText()).contains("OutOfMemoryError");
        }
        assertThat(Path.of(socket + ".running")).exists();

        try (ServeProcess second =
                        ServeProcess.start(
                                        dir.resolve("second.log"),
                                        dyingOnOutOfMemory,
                                        args.toArray(String[]::new))
                                .awaitAccepting();
                TestingClient session = TestingClient.connect(socket)) {
            session.send(TestingFrames.hello());
            assertThat(session.receive().hasWelcome()).isTrue();
            ResultBatch again = answer(session, 1, "ok=200", "hog=300");

            assertThat(again.getResultsList())
                    .extracting(r -> r.getKey())
                    .containsExactly("ok", "hog");
            assertThat(deadLettersByRule(again).get("hog"))
                    .hasSize(2)
                    .allMatch(
                            r ->
                                    r.matches(
                                            "rule hog 1\\.0\\.0\\+\\w{7} quarantined: running when the sidecar died"
                                                    + " \\(session-1, batch 1, in one call for .* or more\\)"));
            second.terminate();
            second.awaitExit();
        }
        assertThat(Path.of(socket + ".running")).doesNotExist();
    }

    @Test
    void aLoopingAndAHeapFillingRuleAreQuarantinedAndTheOtherRulesGoOnExactly() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        Path socket = dir.resolve("s.sock");
        Path admin = Path.of(socket + ".admin");
        try (ServeProcess sidecar =
                        ServeProcess.start(
                                        dir.resolve("sidecar.log"),
                                        List.of("-Xmx96m"),
                                        "serve",
                                        "--socket",
                                        socket.toString(),
                                        "--rules-dir",
                                        rules.toString(),
                                        "-C",
                                        "sidecar.rules.executor-threads=1",
                                        "-C",
                                        "sidecar.rules.batch-budget=500ms",
                                        "-C",
                                        "sidecar.rules.watch-interval=0ms")
                                .awaitAccepting();
                TestingClient session = TestingClient.connect(socket)) {
            session.send(TestingFrames.hello());
            assertThat(session.receive().hasWelcome()).isTrue();
            deploy(admin, "looping", LOOPING_FOREVER, "testrules.LoopingForever");
            deploy(admin, "hog", HEAP_FILLING, "testrules.HeapFilling");

            ResultBatch first = answer(session, 1, "ok=200", "loop=300", "hog=400", "after=500");

            assertThat(resultsByRule(first)).containsOnlyKeys("threshold");
            assertThat(first.getResultsList())
                    .extracting(r -> r.getKey())
                    .containsExactly("ok", "loop", "hog", "after");
            Map<String, List<String>> dead = deadLettersByRule(first);
            assertThat(dead.get("looping"))
                    .hasSize(4)
                    .allMatch(
                            r ->
                                    r.matches(
                                            "rule looping 1\\.0\\.0\\+\\w{7} quarantined: 500 ms budget exceeded on one batch"));
            assertThat(dead.get("hog"))
                    .hasSize(4)
                    .allMatch(
                            r ->
                                    r.matches(
                                            "rule hog 1\\.0\\.0\\+\\w{7} quarantined: threw java\\.lang\\.OutOfMemoryError.*"));

            // the session goes on, and so does a fresh one, though the only rule thread is stuck
            assertThat(answer(session, 2, "ok=200").getResultsCount()).isOne();
            try (TestingClient fresh = TestingClient.connect(socket)) {
                fresh.send(TestingFrames.hello());
                assertThat(fresh.receive().hasWelcome()).isTrue();
                ResultBatch answer = answer(fresh, 1, "loop=300", "hog=400");
                assertThat(answer.getResultsCount()).isEqualTo(2);
                assertThat(deadLettersByRule(answer)).containsOnlyKeys("looping", "hog");
            }

            AdminResponse status =
                    AdminClient.call(
                            admin,
                            AdminRequest.newBuilder()
                                    .setStatus(StatusRequest.getDefaultInstance())
                                    .build());
            assertThat(status.getQuarantinedList())
                    .extracting(q -> q.getRule())
                    .containsExactly("hog", "looping");
            TestingAdmin cli = new TestingAdmin(admin);
            assertThat(cli.run("status")).isZero();
            assertThat(cli.out()).contains("quarantined").contains("500 ms budget exceeded");

            // a deploy lifts the quarantine: the rule runs again
            deploy(
                    admin,
                    "hog",
                    HEAP_FILLING.replace("hog\")", "never\")"),
                    "testrules.HeapFilling");
            ResultBatch lifted = answer(session, 3, "hog=400");
            assertThat(deadLettersByRule(lifted)).containsOnlyKeys("looping");
            assertThat(sidecar.logText()).contains("quarantined");
        }
    }

    private void deploy(Path admin, String name, String source, String rule) throws IOException {
        byte[] jar = RuleJarBuilder.jar(name).version("1.0.0").source(source).rules(rule).bytes();
        AdminResponse response =
                AdminClient.call(
                        admin,
                        AdminRequest.newBuilder()
                                .setDeploy(
                                        DeployRequest.newBuilder()
                                                .setFileName(name + ".jar")
                                                .setJar(ByteString.copyFrom(jar)))
                                .build());
        assertThat(response.getOk()).as(response.getMessage()).isTrue();
    }

    private static ResultBatch answer(TestingClient session, long sequence, String... events)
            throws IOException {
        session.send(TestingFrames.events(TestingBatches.batch(sequence, events)));
        ServerMessage reply = session.receive();
        assertThat(reply.hasResults()).as("%s", reply).isTrue();
        assertThat(reply.getResults().getSequence()).isEqualTo(sequence);
        return reply.getResults();
    }

    private static Map<String, List<String>> resultsByRule(ResultBatch answer) {
        return answer.getResultsList().stream()
                .collect(
                        Collectors.groupingBy(
                                r -> answer.getRules(r.getRule()).getId(),
                                TreeMap::new,
                                Collectors.mapping(r -> r.getKey(), Collectors.toList())));
    }

    private static Map<String, List<String>> deadLettersByRule(ResultBatch answer) {
        return answer.getDeadLettersList().stream()
                .collect(
                        Collectors.groupingBy(
                                d -> answer.getRules(d.getRule()).getId(),
                                TreeMap::new,
                                Collectors.mapping(d -> d.getReason(), Collectors.toList())));
    }
}
