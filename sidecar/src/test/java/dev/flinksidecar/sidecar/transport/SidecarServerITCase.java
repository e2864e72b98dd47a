package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.goodbye;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sessions through a real Unix domain socket, served in process, on both transports. */
@Timeout(60)
class SidecarServerITCase {

    @TempDir Path dir;

    private Path socket;
    private RuleSet rules;
    private SidecarServer server;

    @BeforeEach
    void setUp() throws IOException {
        Path rulesDir = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rulesDir, "threshold", 100);
        TestingRuleJars.jar(
                rulesDir, "throwing", "1.0.0", TestingRuleJars.THROWING, "testrules.Throwing");
        TestingRuleJars.jar(rulesDir, "gate", "1.0.0", TestingRuleJars.GATE, "testrules.Gate");
        rules = RuleSet.load(rulesDir);
        socket = dir.resolve("sidecar.sock");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.shutdown();
        }
        rules.close();
        System.getProperties().remove("test.gate");
        System.getProperties().remove("test.gate.entered");
    }

    @ParameterizedTest(name = "native transport: {0}")
    @ValueSource(booleans = {true, false})
    void answersEveryBatchInOrderWithSeveralInFlight(boolean preferNative) throws Exception {
        server = start(preferNative);
        assertThat(server.transportName()).isEqualTo(preferNative ? "epoll" : "nio");
        int batches = 40;

        try (TestingClient client = TestingClient.connect(socket)) {
            client.send(hello());
            for (int seq = 1; seq <= batches; seq++) {
                client.send(events(TestingBatches.batch(seq, "k" + seq + "=" + (seq * 10), "bad")));
            }
            client.send(goodbye());

            ServerMessage welcome = client.receive();
            assertThat(welcome.getWelcome().getRulesList())
                    .extracting(r -> r.getId())
                    .containsExactly("gate", "threshold", "throwing");
            assertThat(welcome.getWelcome().getSessionId()).startsWith("session-");
            for (int seq = 1; seq <= batches; seq++) {
                ResultBatch results = client.receive().getResults();
                assertThat(results.getSequence()).isEqualTo(seq);
                int expected =
                        2 /* gate passes both events */
                                + 1 /* throwing: first event only */
                                + (seq * 10 > 100 ? 1 : 0);
                assertThat(results.getResultsCount())
                        .as("results of batch %d", seq)
                        .isEqualTo(expected);
                assertThat(results.getDeadLettersList())
                        .singleElement()
                        .satisfies(
                                failure -> {
                                    assertThat(failure.getEventIndex()).isEqualTo(1);
                                    assertThat(failure.getReason())
                                            .isEqualTo(
                                                    "java.lang.IllegalStateException: no amount");
                                });
            }
            assertThat(client.closedByServer()).as("closed after Goodbye").isTrue();
        }
    }

    @ParameterizedTest(name = "native transport: {0}")
    @ValueSource(booleans = {true, false})
    void shutdownAnswersTheBatchInFlightThenClosesAndRemovesTheSocket(boolean preferNative)
            throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        System.getProperties().put("test.gate", gate);
        System.getProperties().put("test.gate.entered", entered);
        server = start(preferNative);

        try (TestingClient client = TestingClient.connect(socket)) {
            client.send(hello());
            client.send(events(TestingBatches.batch(1, "gate")));
            assertThat(client.receive().hasWelcome()).isTrue();
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("batch 1 reached the rule").isTrue();

            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdown);
            Deadline.await(
                    "the server to stop accepting",
                    Duration.ofSeconds(30),
                    () -> !server.isAccepting());
            assertThat(shutdown).isNotDone();
            gate.countDown();

            ResultBatch answer = client.receive().getResults();
            assertThat(answer.getSequence()).isEqualTo(1);
            assertThat(answer.getResultsCount()).as("gate and throwing rules").isEqualTo(2);
            ServerMessage last = client.receive();
            assertThat(last.getError().getCode()).isEqualTo("SHUTDOWN");
            assertThat(last.getError().getFatal()).isTrue();
            assertThat(client.closedByServer()).isTrue();
            shutdown.get(30, TimeUnit.SECONDS);
        }
        assertThat(socket).doesNotExist();
    }

    private SidecarServer start(boolean preferNative) throws Exception {
        SidecarConfig config =
                SidecarConfig.defaults()
                        .with(SidecarOptions.SOCKET_PATH, socket)
                        .with(SidecarOptions.NATIVE_TRANSPORT, preferNative)
                        .with(SidecarOptions.RULE_EXECUTOR_THREADS, 2);
        return SidecarServer.start(config, rules, "test");
    }
}
