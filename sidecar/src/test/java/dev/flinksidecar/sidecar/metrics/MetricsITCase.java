package dev.flinksidecar.sidecar.metrics;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.Scrape;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.TestingHttp;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --http-port 0} as a real process: a session over the real Unix socket sends a known
 * stream of events, and {@code /metrics} counts them by rule version and by subtask.
 */
@Timeout(180)
class MetricsITCase {

    static final int BATCHES = 8;
    static final int EVENTS_PER_BATCH = 500;
    static final String TASK = "metrics-test";

    @TempDir Path dir;

    private Path rules;
    private Path socket;

    @BeforeEach
    void setUp() throws IOException {
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        TestingRuleJars.windowedSum(
                rules, "sum", "{\"window\": {\"type\": \"tumbling\", \"size\": \"1s\"}}");
        socket = dir.resolve("sidecar.sock");
    }

    @Test
    void countsEventsResultsAndBytesByRuleVersionAndSubtask() throws Exception {
        try (ServeProcess sidecar = start(dir, rules, socket)) {
            int port = TestingHttp.port(sidecar);
            awaitRegistry(port);
            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(hello(3));
                Map<String, String> versions = new HashMap<>();
                for (RuleRef rule : client.receive().getWelcome().getRulesList()) {
                    versions.put(rule.getId(), rule.getVersion());
                }
                assertThat(versions).containsOnlyKeys("threshold", "sum");

                Map<String, Long> results = new HashMap<>();
                long sent = 0;
                for (int b = 1; b <= BATCHES; b++) {
                    client.send(events(batch(b)));
                    count(client.receive(), results);
                    sent += EVENTS_PER_BATCH;
                    if (b == BATCHES / 2) { // while the stream runs
                        Scrape during = scrape(port);
                        assertThat(
                                        during.value(
                                                "sidecar_rule_events_total",
                                                "rule",
                                                "threshold",
                                                "version",
                                                versions.get("threshold")))
                                .isEqualTo((double) sent);
                        assertThat(
                                        during.value(
                                                "sidecar_session_events_total",
                                                "subtask",
                                                "3",
                                                "task",
                                                TASK))
                                .isEqualTo((double) sent);
                    }
                }

                Scrape after = scrape(port);
                for (String rule : versions.keySet()) {
                    String version = versions.get(rule);
                    assertThat(
                                    after.value(
                                            "sidecar_rule_events_total",
                                            "rule",
                                            rule,
                                            "version",
                                            version))
                            .as("events in of %s", rule)
                            .isEqualTo((double) sent);
                    assertThat(
                                    after.value(
                                            "sidecar_rule_results_total",
                                            "rule",
                                            rule,
                                            "version",
                                            version))
                            .as("results out of %s", rule)
                            .isEqualTo((double) results.getOrDefault(rule, 0L));
                    assertThat(
                                    after.value(
                                            "sidecar_rule_errors_total",
                                            "rule",
                                            rule,
                                            "version",
                                            version))
                            .isZero();
                    assertThat(
                                    after.value(
                                            "sidecar_rule_batch_duration_seconds_count",
                                            "rule",
                                            rule,
                                            "version",
                                            version))
                            .isEqualTo((double) BATCHES);
                }
                assertThat(results.get("threshold")).isEqualTo(expectedThresholdResults());
                assertThat(results.get("sum")).isPositive();
                assertThat(
                                after.value(
                                        "sidecar_session_batches_total",
                                        "subtask",
                                        "3",
                                        "task",
                                        TASK))
                        .isEqualTo((double) BATCHES);
                assertThat(
                                after.value(
                                        "sidecar_session_events_total",
                                        "subtask",
                                        "3",
                                        "task",
                                        TASK))
                        .isEqualTo((double) sent);
                assertThat(
                                after.value(
                                        "sidecar_session_events_in_flight",
                                        "subtask",
                                        "3",
                                        "task",
                                        TASK))
                        .isZero();
                assertThat(
                                after.value(
                                        "sidecar_session_received_bytes_total",
                                        "subtask",
                                        "3",
                                        "task",
                                        TASK))
                        .isPositive();
                assertThat(
                                after.value(
                                        "sidecar_session_sent_bytes_total",
                                        "subtask",
                                        "3",
                                        "task",
                                        TASK))
                        .isPositive();
                assertThat(after.value("sidecar_window_open", "subtask", "3", "task", TASK))
                        .isPositive();
                assertThat(after.value("sidecar_window_keys", "subtask", "3", "task", TASK))
                        .isPositive();
                assertThat(after.value("sidecar_sessions_open")).isEqualTo(1.0);
                assertThat(after.value("sidecar_rule_activations_total", "rule", "threshold"))
                        .isEqualTo(1.0);

                client.send(TestingFrames.goodbye());
                Deadline.await(
                        "the session's series to go once it closed",
                        Duration.ofSeconds(30),
                        () -> scrape(port).value("sidecar_sessions_open") == 0.0);
                Scrape closed = scrape(port);
                assertThat(closed.samples("sidecar_session_batches_total")).isEmpty();
                assertThat(
                                closed.value(
                                        "sidecar_rule_events_total",
                                        "rule",
                                        "threshold",
                                        "version",
                                        versions.get("threshold")))
                        .as("a version's counters stay while it is loaded")
                        .isEqualTo((double) sent);
            }
            assertThat(sidecar.logText())
                    .contains(
                            "session-1: opened for job 'test-job' operator '"
                                    + TASK
                                    + "' subtask 3/4, rules [")
                    .contains(
                            "session-1: closed (subtask 3/4 of task '"
                                    + TASK
                                    + "' of job 'test-job'): the client said goodbye");
        }
    }

    /** Starts {@code serve --http-port 0} on {@code rules}. */
    static ServeProcess start(Path dir, Path rules, Path socket, String... more)
            throws IOException {
        String[] args = {
            "serve",
            "--socket",
            socket.toString(),
            "--rules-dir",
            rules.toString(),
            "--http-port",
            "0",
            "-C",
            "sidecar.http.host=127.0.0.1"
        };
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return ServeProcess.start(dir.resolve("sidecar.log"), all).awaitAccepting();
    }

    /** Waits until the registry serves (the JVM's metrics are bound after the socket accepts). */
    static void awaitRegistry(int port) {
        Deadline.await(
                "the metrics registry to serve",
                Duration.ofSeconds(60),
                () ->
                        TestingHttp.get(port, "/metrics")
                                .body()
                                .contains("jvm_threads_live_threads"));
    }

    static Scrape scrape(int port) {
        TestingHttp.Response response = TestingHttp.get(port, "/metrics");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/plain; version=0.0.4");
        return new Scrape(response.body());
    }

    static ClientMessage hello(int subtask) {
        ClientMessage hello = TestingFrames.hello();
        return hello.toBuilder()
                .setHello(
                        hello.getHello().toBuilder()
                                .setSubtaskIndex(subtask)
                                .setParallelism(4)
                                .setOperatorName(TASK))
                .build();
    }

    /**
     * Batch {@code b}: 500 payments of 50 cards, 10 ms apart, amounts 0..299 cycling; watermark at
     * its last event.
     */
    static EventBatch batch(int b) {
        String[] events = new String[EVENTS_PER_BATCH];
        long last = 0;
        for (int i = 0; i < EVENTS_PER_BATCH; i++) {
            int n = (b - 1) * EVENTS_PER_BATCH + i;
            last = 1000 + n * 10L;
            events[i] = "card-" + (n % 50) + "@" + last + "=" + (n % 300);
        }
        return TestingBatches.timed(b, last, events);
    }

    /** Amounts over 100 among n % 300 for every event sent. */
    static long expectedThresholdResults() {
        long count = 0;
        for (int n = 0; n < BATCHES * EVENTS_PER_BATCH; n++) {
            if (n % 300 > 100) {
                count++;
            }
        }
        return count;
    }

    private static void count(ServerMessage message, Map<String, Long> results) {
        ResultBatch batch = message.getResults();
        assertThat(message.hasResults()).as("an answer with results, got %s", message).isTrue();
        for (Result result : batch.getResultsList()) {
            results.merge(batch.getRules(result.getRule()).getId(), 1L, Long::sum);
        }
    }
}
