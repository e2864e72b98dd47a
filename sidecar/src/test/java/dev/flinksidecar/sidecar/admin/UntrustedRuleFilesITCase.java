package dev.flinksidecar.sidecar.admin;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.Scrape;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingHttp;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.UntrustedRuleFiles;
import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule files as untrusted input, against {@code serve} as a real child process: a zip bomb and a
 * config nested 200,000 levels deep in the rules directory, or sent with {@code admin deploy}, are
 * refused by name while the good rules run and later files still deploy; a rule that calls what a
 * rule may not is refused naming the class and the call unless its config allows it; a deploy over
 * the admin frame limit says it is too large; an allow-list of SHA-256 digests takes only the jars
 * it lists.
 */
@Timeout(300)
class UntrustedRuleFilesITCase {

    /** How long an answer may take on a busy machine; a deadline, never a timing asserted. */
    private static final Duration ANSWER = Duration.ofSeconds(90);

    @TempDir Path dir;

    private Path rulesDir;
    private Path jars;
    private Path socket;
    private byte[] echo;
    private ServeProcess sidecar;
    private TestingAdmin admin;

    @BeforeEach
    void files() throws IOException {
        rulesDir = Files.createDirectory(dir.resolve("rules"));
        jars = Files.createDirectory(dir.resolve("jars"));
        socket = dir.resolve("s.sock");
        echo =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes();
        TestingRuleJars.threshold(rulesDir, "threshold", 100);
    }

    @AfterEach
    void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @Test
    void aRulesFolderWithAZipBombAndADeepConfigStartsRunsTheGoodRuleAndDeploysLaterJars()
            throws Exception {
        UntrustedRuleFiles.zipBomb(rulesDir, "bomb", echo, 200L * 1024 * 1024);
        Files.write(rulesDir.resolve("deep.jar"), echo);
        Files.writeString(rulesDir.resolve("deep.json"), UntrustedRuleFiles.deepConfig(200_000));

        start("--http-port", "0");

        try (TestingClient client = TestingClient.connect(socket)) {
            client.send(hello());
            assertThat(refs(client.receive().getWelcome().getRulesList()))
                    .containsExactly("threshold");
            client.send(events(TestingBatches.batch(1, "a=500", "b=5")));
            ResultBatch results = client.receive().getResults();
            assertThat(results.getResultsList()).hasSize(1);
            assertThat(results.getRules(results.getResults(0).getRule()).getId())
                    .isEqualTo("threshold");
        }
        assertThat(sidecar.logText())
                .contains("refused: rule jar bomb.jar refused: entry data/zeros.bin inflates from ")
                .contains(
                        "refused: rule jar deep.jar: config deep.json is not valid JSON: nested deeper than 64 levels");
        assertThat(admin.run("status")).isZero();
        assertThat(admin.out())
                .contains("rules-dir bomb.jar: rule jar bomb.jar refused: entry data/zeros.bin")
                .contains(
                        "rules-dir deep.jar: rule jar deep.jar: config deep.json is not valid JSON");
        Scrape metrics = new Scrape(TestingHttp.get(TestingHttp.port(sidecar), "/metrics").body());
        assertThat(metrics.value("sidecar_rule_refusals_total")).isEqualTo(2.0);

        Path incoming = Files.write(rulesDir.resolve(".late.jar.tmp"), echo);
        Files.move(incoming, rulesDir.resolve("late.jar"), StandardCopyOption.ATOMIC_MOVE);
        Deadline.await(
                "late.jar to be deployed from the rules directory; the sidecar's log:\n"
                        + sidecar.logText(),
                ANSWER,
                () -> admin.run("list") == 0 && admin.out().contains("\nlate "));
    }

    @Test
    void theSameFilesThroughAdminDeployAreRefusedWithAnAnswer() throws Exception {
        Path bomb = UntrustedRuleFiles.zipBomb(jars, "bomb", echo, 200L * 1024 * 1024);
        Path echoJar = Files.write(jars.resolve("echo.jar"), echo);
        Path deep =
                Files.writeString(
                        jars.resolve("deep.json"), UntrustedRuleFiles.deepConfig(200_000));
        start();

        assertThat(deploy(bomb.toString())).isEqualTo(1);
        assertThat(admin.err())
                .startsWith(
                        "sidecar admin deploy: rule jar bomb.jar refused: entry data/zeros.bin inflates from ")
                .contains("(a zip bomb? sidecar.rules.max-entry-ratio)");

        assertThat(deploy(echoJar.toString(), "--config", deep.toString())).isEqualTo(1);
        assertThat(admin.err())
                .startsWith(
                        "sidecar admin deploy: rule jar echo.jar: config echo.json is not valid JSON: "
                                + "nested deeper than 64 levels");

        assertThat(deploy(echoJar.toString())).as(admin.err()).isZero();
    }

    @Test
    void aRuleThatCallsWhatARuleMayNotIsRefusedUnlessItsConfigAllowsIt() throws Exception {
        start();
        List<String> refusals = new ArrayList<>();
        for (UntrustedRuleFiles.Caller caller : UntrustedRuleFiles.CALLERS) {
            Path jar = caller.jar(jars);
            assertThat(deploy(jar.toString())).as(caller.toString()).isEqualTo(1);
            refusals.add(admin.err().lines().findFirst().orElse(""));
            if (caller.capability() != null) {
                Path config =
                        Files.writeString(
                                jars.resolve(caller.name() + ".json"),
                                "{\"allow\": [\"" + caller.capability() + "\"]}");
                assertThat(deploy(jar.toString(), "--config", config.toString()))
                        .as(caller + ": " + admin.err())
                        .isZero();
            }
        }
        List<String> expected =
                UntrustedRuleFiles.CALLERS.stream()
                        .map(
                                c ->
                                        "sidecar admin deploy: rule jar "
                                                + c.name()
                                                + ".jar refused: class testrules."
                                                + c.className()
                                                + " "
                                                + c.call()
                                                + " (capability '")
                        .collect(Collectors.toList());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(refusals.get(i)).startsWith(expected.get(i));
        }
        assertThat(refusals.get(0))
                .isEqualTo(
                        "sidecar admin deploy: rule jar exits.jar refused: class testrules.Exits calls "
                                + "java.lang.System.exit (capability 'exit', which no rule may have)");
    }

    @Test
    void aDeployOverTheAdminFrameLimitSaysTheJarIsTooLarge() throws Exception {
        start("-C", "sidecar.admin.max-frame-bytes=1048576");
        Path big = UntrustedRuleFiles.withStoredEntry(jars, "big", echo, 3 * 1024 * 1024);

        assertThat(deploy(big.toString())).isEqualTo(1);
        assertThat(admin.err())
                .startsWith(
                        "sidecar admin deploy: rule jar big.jar is too large to deploy: a frame of ")
                .contains(
                        "bytes is over the sidecar's limit of 1048576 bytes (sidecar.admin.max-frame-bytes); "
                                + "raise the limit with serve --conf sidecar.admin.max-frame-bytes=BYTES");
        assertThat(admin.run("list")).as("the sidecar still answers").isZero();
    }

    @Test
    void withAnAllowListOnlyListedJarsDeployAndOthersAreRefusedNamingTheirDigest()
            throws Exception {
        byte[] threshold = Files.readAllBytes(rulesDir.resolve("threshold.jar"));
        Path allowed =
                Files.writeString(
                        dir.resolve("allowed.sha256"),
                        ContentHash.digest(threshold, null).jarSha256() + "  threshold.jar\n");
        Path echoJar = Files.write(jars.resolve("echo.jar"), echo);
        String echoDigest = ContentHash.digest(echo, null).jarSha256();
        start("-C", "sidecar.rules.allowed-digests-file=" + allowed);

        assertThat(admin.run("list")).isZero();
        assertThat(admin.out()).contains("\nthreshold ");
        assertThat(deploy(echoJar.toString())).isEqualTo(1);
        assertThat(admin.err())
                .isEqualTo(
                        "sidecar admin deploy: rule jar echo.jar refused: its SHA-256 "
                                + echoDigest
                                + " is not in the allow-list "
                                + allowed.toAbsolutePath()
                                + " (sidecar.rules.allowed-digests-file)\n");

        Files.writeString(
                allowed, echoDigest + "  echo.jar\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(deploy(echoJar.toString())).as(admin.err()).isZero();
    }

    @Test
    void anAllowListFileThatCannotBeReadStopsTheStartWithAUsageError() throws Exception {
        Path missing = dir.resolve("missing.sha256");
        try (ServeProcess failing =
                ServeProcess.start(
                        dir.resolve("failing.log"),
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--rules-dir",
                        rulesDir.toString(),
                        "-C",
                        "sidecar.rules.allowed-digests-file=" + missing)) {
            assertThat(failing.awaitExit()).isEqualTo(2);
            assertThat(failing.logText())
                    .contains(
                            "sidecar serve: sidecar.rules.allowed-digests-file: file "
                                    + missing.toAbsolutePath()
                                    + " cannot be read: java.nio.file.NoSuchFileException");
        }
    }

    private void start(String... more) throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rulesDir.toString(),
                                "-C",
                                "sidecar.rules.watch-interval=100ms"));
        args.addAll(List.of(more));
        sidecar =
                ServeProcess.start(dir.resolve("sidecar.log"), args.toArray(new String[0]))
                        .awaitAccepting();
        admin = new TestingAdmin(Path.of(socket + ".admin"));
    }

    /** Runs {@code admin deploy args...}, waiting for its answer with a deadline. */
    private int deploy(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("deploy"));
        command.addAll(List.of(args));
        return CompletableFuture.supplyAsync(() -> admin.run(command.toArray(new String[0])))
                .get(ANSWER.toSeconds(), TimeUnit.SECONDS);
    }

    private static List<String> refs(List<RuleRef> refs) {
        return refs.stream().map(RuleRef::getId).collect(Collectors.toList());
    }
}
