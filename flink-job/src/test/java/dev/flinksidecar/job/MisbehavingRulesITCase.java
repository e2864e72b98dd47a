package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules that misbehave, deployed into a running job beside the example rules (the threshold rule
 * and a windowed sum), on a MiniCluster with a real sidecar process of 192 MiB heap and no Flink
 * restarts allowed: one that loops forever on some events (deaf to interrupts), one that fills the
 * heap on some events, and one that calls {@code System.exit} (refused at deploy). The job
 * finishes, the example rules' output is identical to a run of the same job without the bad rules,
 * every event the bad rules were given afterwards is a dead letter naming their quarantine, and
 * {@code admin status} lists both.
 */
@Timeout(300)
class MisbehavingRulesITCase {

    private static final int EVENTS = 60_000;
    private static final int KEYS = 200;
    private static final long BASE = 1_767_225_600_000L;
    private static final long STEP_MS = 50;

    private static final String LOOPING =
            "package badrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Looping implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    while (event.key().equals(\"k7\")) { Thread.onSpinWait(); }\n"
                    + "  }\n"
                    + "}\n";

    private static final String HEAP_FILLING =
            "package badrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class HeapFilling implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    if (!event.key().equals(\"k13\")) { return; }\n"
                    + "    java.util.List<long[]> hog = new java.util.ArrayList<>();\n"
                    + "    while (true) { hog.add(new long[1 << 19]); }\n"
                    + "  }\n"
                    + "}\n";

    private static final String EXITING =
            "package badrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Exiting implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    if (event.key().equals(\"k3\")) { System.exit(3); }\n"
                    + "  }\n"
                    + "}\n";

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStreams.clusterWithoutRestarts(2);

    @TempDir Path tmp;

    @Test
    void badRulesDeployedMidRunAreQuarantinedAndTheOthersOutputStaysExact() throws Exception {
        List<String> undisturbed = run(tmp.resolve("undisturbed"), false);
        List<String> disturbed = run(tmp.resolve("disturbed"), true);

        Map<Boolean, List<String>> split =
                disturbed.stream().collect(Collectors.partitioningBy(l -> l.startsWith("dead ")));
        assertThat(split.get(false))
                .as("the example rules' results, sorted")
                .isEqualTo(undisturbed);
        Map<String, List<String>> deadByRule = new TreeMap<>();
        for (String line : split.get(true)) {
            String rule = line.replaceFirst(".*\"rule\":\"([^\"]+)\".*", "$1");
            deadByRule.computeIfAbsent(rule, r -> new ArrayList<>()).add(line);
        }
        assertThat(deadByRule).containsOnlyKeys("hog", "looping");
        assertThat(deadByRule.get("looping"))
                .allMatch(l -> l.contains("quarantined: 500 ms budget exceeded on one batch"));
        assertThat(deadByRule.get("hog"))
                .allMatch(l -> l.contains("quarantined: threw java.lang.OutOfMemoryError"));
    }

    /**
     * Runs the job to its end and returns its output: the results sorted, then (prefixed "dead ")
     * the dead letters sorted.
     */
    private List<String> run(Path dir, boolean withBadRules) throws Exception {
        Path rules = dir.resolve("rules");
        TestSidecars.deploy(rules, "threshold", "big", "{\"limit\": 900}");
        TestSidecars.deploy(
                rules,
                "windowed-aggregate",
                "tumbling-sum",
                "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"aggregate\": \"sum\","
                        + " \"field\": \"amount\", \"event_type\": \"payment\"}");
        Path socket = dir.resolve("sidecar.sock");
        Path admin = dir.resolve("sidecar.sock.admin");
        List<String> command = TestSidecars.command(dir);
        command.add(command.indexOf("-jar"), "-Xmx192m");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        HOLD.reset(withBadRules);
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        command,
                        socket,
                        rules,
                        dir.resolve("sidecar.log"),
                        Duration.ofSeconds(60))) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(300);
            DataGeneratorSource<EventRecord> source =
                    new DataGeneratorSource<>(
                            MisbehavingRulesITCase::event,
                            EVENTS,
                            new HeldUntilDeployed(),
                            RecordTypes.EVENT);
            DataStream<EventRecord> events =
                    env.fromSource(source, TestStreams.perEventWatermarks(), "generated")
                            .setParallelism(1);
            SingleOutputStreamOperator<ResultRecord> results =
                    SidecarStreams.process(
                            events.keyBy(EventRecord::key, Types.STRING),
                            SidecarOperatorOptions.defaults()
                                    .with(SidecarOperatorOptions.SOCKET_PATH, socket.toString()));
            CloseableIterator<String> output =
                    results.map(ResultRecord::toString)
                            .returns(Types.STRING)
                            .union(
                                    results.getSideOutput(SidecarStreams.DEAD_LETTERS)
                                            .map(line -> "dead " + line)
                                            .returns(Types.STRING))
                            .collectAsync();
            JobClient job = env.executeAsync("MisbehavingRulesITCase " + dir.getFileName());
            try (output) {
                // the collect sink holds only so much: drain it while the source may be held
                CompletableFuture<Void> drained =
                        CompletableFuture.runAsync(() -> output.forEachRemaining(lines::add));
                try {
                    if (withBadRules) {
                        assertThat(HOLD.reached.await(2, TimeUnit.MINUTES))
                                .as("the source reached a third of its events")
                                .isTrue();
                        deployBadRules(dir, admin);
                    }
                } finally {
                    HOLD.release.complete(null); // also when the deploy failed: the job ends
                }
                drained.get(4, TimeUnit.MINUTES);
            }
            job.getJobExecutionResult().get(4, TimeUnit.MINUTES);
            assertThat(sidecar.isAlive()).as("sidecar alive: %s", sidecar.tail()).isTrue();
            if (withBadRules) {
                String status = TestSidecars.admin(admin, "status");
                assertThat(status)
                        .contains("quarantined")
                        .containsPattern(
                                "hog 1\\.0\\.0\\+\\w{7}  since .*: threw java.lang.OutOfMemoryError")
                        .containsPattern(
                                "looping 1\\.0\\.0\\+\\w{7}  since .*: 500 ms budget exceeded on one batch");
            }
        }
        lines.sort(null);
        return lines;
    }

    private static final Hold HOLD = new Hold();

    /**
     * Where the source holds still in the run with bad rules: the permit of the event at a third of
     * the input is withheld until the test has deployed them, so they meet the other two thirds
     * whatever the machine's speed. The MiniCluster runs in this JVM, so the source's rate limiter
     * and the test share this object.
     */
    private static final class Hold {
        static final long AT = EVENTS / 3;
        final AtomicLong permits = new AtomicLong();
        volatile boolean holding;
        volatile CountDownLatch reached = new CountDownLatch(1);
        volatile CompletableFuture<Void> release = CompletableFuture.completedFuture(null);

        void reset(boolean hold) {
            permits.set(0);
            holding = hold;
            reached = new CountDownLatch(1);
            release = hold ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
        }
    }

    /** 5,000 events a second, held at {@link Hold#AT} while {@link #HOLD} says so. */
    private static final class HeldUntilDeployed implements RateLimiterStrategy<SourceSplit> {

        private static final long serialVersionUID = 1L;

        @Override
        @SuppressWarnings("unchecked") // perSecond gives a raw strategy
        public RateLimiter<SourceSplit> createRateLimiter(int parallelism) {
            RateLimiter<SourceSplit> rate =
                    RateLimiterStrategy.perSecond(5_000).createRateLimiter(parallelism);
            return permits -> {
                long n = HOLD.permits.getAndAdd(permits);
                if (!HOLD.holding || n != Hold.AT) {
                    return rate.acquire(permits);
                }
                HOLD.reached.countDown();
                return HOLD.release.thenCompose(released -> rate.acquire(permits));
            };
        }
    }

    private static void deployBadRules(Path dir, Path admin) throws Exception {
        Path jars = Files.createDirectories(dir.resolve("bad"));
        Path exiting = jar(jars, "exiting", EXITING, "badrules.Exiting");
        assertThatThrownBy(() -> TestSidecars.admin(admin, "deploy", exiting.toString()))
                .as("a jar that calls System.exit is refused at deploy")
                .hasMessageContaining("badrules.Exiting")
                .hasMessageContaining("System.exit");
        Path budget =
                Files.writeString(jars.resolve("looping.json"), "{\"batch-budget\": \"500ms\"}");
        assertThat(
                        TestSidecars.admin(
                                admin,
                                "deploy",
                                jar(jars, "looping", LOOPING, "badrules.Looping").toString(),
                                "--config",
                                budget.toString()))
                .contains("deployed looping");
        assertThat(
                        TestSidecars.admin(
                                admin,
                                "deploy",
                                jar(jars, "hog", HEAP_FILLING, "badrules.HeapFilling").toString()))
                .contains("deployed hog");
    }

    private static Path jar(Path dir, String name, String source, String rule) throws Exception {
        return RuleJarBuilder.jar(name).version("1.0.0").source(source).rules(rule).writeTo(dir);
    }

    /** Event {@code n}: one of 200 keys, every 50 ms of event time, an amount from 0 to 999. */
    private static EventRecord event(long n) {
        return EventRecord.builder("k" + (n * 7919) % KEYS, BASE + n * STEP_MS)
                .type("payment")
                .set("amount", n % 1000)
                .build();
    }
}
