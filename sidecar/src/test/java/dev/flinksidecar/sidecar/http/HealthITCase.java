package dev.flinksidecar.sidecar.http;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingHttp;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} through a sidecar's life, made deterministic by a rule whose {@code open}
 * waits for a file (the rules directory is loading until the test creates it) and whose event
 * {@code gate} waits for another (a batch stays in flight while the sidecar shuts down).
 */
@Timeout(180)
class HealthITCase {

    /**
     * Waits in {@code open} for the file {@code open_gate}; on key {@code gate}, writes {@code
     * entered} and waits for {@code event_gate}.
     */
    static final String FILE_GATE =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "import java.nio.file.*;\n"
                    + "public final class FileGate implements Rule {\n"
                    + "  private Path eventGate;\n"
                    + "  private Path entered;\n"
                    + "  public void open(RuleContext context) throws Exception {\n"
                    + "    eventGate = Path.of(context.config().requireString(\"event_gate\"));\n"
                    + "    entered = Path.of(context.config().requireString(\"entered\"));\n"
                    + "    await(Path.of(context.config().requireString(\"open_gate\")));\n"
                    + "  }\n"
                    + "  public void onEvent(Event event, ResultCollector out) throws Exception {\n"
                    + "    if (event.key().equals(\"gate\")) { Files.write(entered, new byte[0]); await(eventGate); }\n"
                    + "    out.emit(Result.of(event).set(\"passed\", true));\n"
                    + "  }\n"
                    + "  private static void await(Path file) throws InterruptedException {\n"
                    + "    long deadline = System.nanoTime() + 120_000_000_000L;\n"
                    + "    while (!Files.exists(file)) {\n"
                    + "      if (System.nanoTime() > deadline) { throw new IllegalStateException(\"gate \" + file + \" was not opened\"); }\n"
                    + "      Thread.sleep(5);\n"
                    + "    }\n"
                    + "  }\n"
                    + "}\n";

    @TempDir Path dir;

    @Test
    void readyOnlyOnceRulesAreLoadedAndTheSocketAcceptsAndNotWhileShuttingDown() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Path openGate = dir.resolve("open-gate");
        Path eventGate = dir.resolve("event-gate");
        Path entered = dir.resolve("entered");
        TestingRuleJars.config(
                rules,
                "gate",
                "{\"open_gate\": \""
                        + openGate
                        + "\", \"event_gate\": \""
                        + eventGate
                        + "\", \"entered\": \""
                        + entered
                        + "\"}");
        TestingRuleJars.jar(rules, "gate", "1.0.0", FILE_GATE, "testrules.FileGate");
        Path socket = dir.resolve("sidecar.sock");

        try (ServeProcess sidecar =
                ServeProcess.start(
                        dir.resolve("sidecar.log"),
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--rules-dir",
                        rules.toString(),
                        "--http-port",
                        "0",
                        "-C",
                        "sidecar.http.host=127.0.0.1",
                        "-C",
                        "sidecar.transport.shutdown-timeout=2m")) {
            int port = TestingHttp.port(sidecar);
            // the rule's open blocks the rules directory's loading until the gate opens
            TestingHttp.Response loading = TestingHttp.get(port, "/health/ready");
            assertThat(loading.status()).isEqualTo(503);
            assertThat(loading.body()).isEqualTo("not ready: loading the rules directory\n");
            assertThat(TestingHttp.get(port, "/health/live").status()).isEqualTo(200);
            assertThat(sidecar.logText()).doesNotContain("accepting sessions");

            Files.createFile(openGate);
            Deadline.await(
                    "/health/ready to say 200",
                    Duration.ofSeconds(60),
                    () -> TestingHttp.status(port, "/health/ready") == 200);
            assertThat(sidecar.logText()).contains("accepting sessions on " + socket);

            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(hello());
                client.receive(); // Welcome
                client.send(events(TestingBatches.batch(1, "gate=1")));
                Deadline.await(
                        "the rule to hold the batch",
                        Duration.ofSeconds(60),
                        () -> Files.exists(entered));

                sidecar.terminate();
                // the batch in flight keeps the sidecar draining until the event gate opens
                Deadline.await(
                        "/health/ready to say 503 after SIGTERM",
                        Duration.ofSeconds(60),
                        () -> TestingHttp.status(port, "/health/ready") == 503);
                assertThat(TestingHttp.get(port, "/health/ready").body())
                        .isEqualTo("not ready: shutting down\n");
                assertThat(TestingHttp.get(port, "/health/live").status()).isEqualTo(200);

                Files.createFile(eventGate);
                ServerMessage answer = client.receive();
                assertThat(answer.getResults().getResultsCount()).isEqualTo(1);
                assertThat(client.receive().getError().getCode()).isEqualTo("SHUTDOWN");
            }
            assertThat(sidecar.awaitExit()).isEqualTo(0);
            assertThat(TestingHttp.status(port, "/health/live"))
                    .as("no HTTP once the process ended")
                    .isEqualTo(-1);
        }
    }

    @Test
    void withoutHttpPortNoHttpServerRuns() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Path socket = dir.resolve("sidecar.sock");
        try (ServeProcess sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString())
                        .awaitAccepting()) {
            assertThat(sidecar.logText()).doesNotContain("HTTP on port");
        }
    }
}
