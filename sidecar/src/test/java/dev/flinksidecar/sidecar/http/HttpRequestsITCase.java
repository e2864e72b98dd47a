package dev.flinksidecar.sidecar.http;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.Scrape;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.TestingHttp;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Wrong HTTP requests get a clear answer and disturb neither the endpoint nor the sessions. */
@Timeout(180)
class HttpRequestsITCase {

    @TempDir Path dir;

    @Test
    void unknownPathsWrongMethodsAndGarbageGetAnErrorAndDisturbNothing() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
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
                                "sidecar.http.host=127.0.0.1")
                        .awaitAccepting()) {
            int port = TestingHttp.port(sidecar);

            TestingHttp.Response unknown = TestingHttp.get(port, "/metrics/extra");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).contains("/metrics, /health/live and /health/ready");
            assertThat(TestingHttp.request(port, "POST", "/metrics").status()).isEqualTo(405);
            assertThat(TestingHttp.request(port, "DELETE", "/health/ready").status())
                    .isEqualTo(405);
            assertThat(TestingHttp.request(port, "HEAD", "/health/live").status()).isEqualTo(200);
            assertThat(raw(port, "NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400");
            assertThat(
                            raw(
                                    port,
                                    "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n"))
                    .as("a body over the endpoint's limit")
                    .startsWith("HTTP/1.1 413");

            assertThat(TestingHttp.get(port, "/health/ready").status()).isEqualTo(200);
            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(TestingFrames.hello());
                client.receive();
                client.send(events(TestingBatches.batch(1, "small=50", "big=500")));
                assertThat(client.receive().getResults().getResultsList())
                        .extracting(r -> r.getKey())
                        .containsExactly("big");
                Deadline.await(
                        "the registry to serve",
                        Duration.ofSeconds(60),
                        () ->
                                TestingHttp.get(port, "/metrics")
                                        .body()
                                        .contains("sidecar_rule_events_total"));
                Scrape scrape = new Scrape(TestingHttp.get(port, "/metrics").body());
                assertThat(scrape.value("sidecar_rule_events_total", "rule", "threshold"))
                        .isEqualTo(2.0);
            }
            assertThat(sidecar.logText()).doesNotContain("ERROR").doesNotContain("Exception");
        }
    }

    @Test
    void withMetricsOffMetricsIsAnEmptyPageAndHealthStillAnswers() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
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
                                "sidecar.metrics.enabled=false")
                        .awaitAccepting()) {
            int port = TestingHttp.port(sidecar);
            Deadline.await(
                    "/health/ready to say 200",
                    Duration.ofSeconds(60),
                    () -> TestingHttp.status(port, "/health/ready") == 200);
            TestingHttp.Response metrics = TestingHttp.get(port, "/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).isEmpty();
        }
    }

    /**
     * Sends {@code request} as it is and returns what the server answers until it closes the
     * connection.
     */
    private static String raw(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
