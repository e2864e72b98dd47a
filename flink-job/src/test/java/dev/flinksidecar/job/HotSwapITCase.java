package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap under a running job: a MiniCluster job (checkpointing every 200 ms, parallelism 2) sends
 * 240,000 generated events at a steady 20,000 events/s through a real sidecar process, while a new
 * version of its rule is deployed every second with the {@code admin deploy} command. Every event
 * must come out exactly once, made by exactly one version, with the versions of each key never
 * going back (in deploy order), each tagged as the deploy named it.
 *
 * <p>The rule is the {@code threshold} example configured to pass every event ({@code
 * "field":"n","limit":-1}); an event's time is unique ({@code BASE + n}), so a result's time names
 * the event that made it.
 */
@Timeout(300)
class HotSwapITCase {

    private static final int EVENTS = 240_000;
    private static final int KEYS = 400;
    private static final double EVENTS_PER_SECOND = 20_000;
    private static final long BASE = 1_767_225_600_000L;
    private static final Pattern DEPLOYED =
            Pattern.compile("deployed seq (1\\.0\\.(\\d+)\\+[0-9a-f]{7})");
    private static final Pattern SEQ_VERSION = Pattern.compile("1\\.0\\.(\\d+)\\+[0-9a-f]{7}");

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path tmp;

    @Test
    void redeployingEverySecondLosesNothingAndNeverGoesBackPerKey() throws Exception {
        Path rules = tmp.resolve("rules");
        TestSidecars.deploy(rules, "threshold", "seq", config(0));
        Path socket = tmp.resolve("sidecar.sock");
        Path admin = tmp.resolve("sidecar.sock.admin");
        List<String> deployed = new CopyOnWriteArrayList<>();
        List<String> deployFailures = new CopyOnWriteArrayList<>();
        List<ResultRecord> results = new ArrayList<>();
        ScheduledExecutorService deployer =
                Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "deployer"));
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(tmp),
                        socket,
                        rules,
                        tmp.resolve("sidecar.log"),
                        Duration.ofSeconds(60))) {
            deployed.add(versionOf(TestSidecars.admin(admin, "list")));

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(200);
            DataGeneratorSource<EventRecord> source =
                    new DataGeneratorSource<>(
                            HotSwapITCase::event,
                            EVENTS,
                            RateLimiterStrategy.perSecond(EVENTS_PER_SECOND),
                            RecordTypes.EVENT);
            DataStream<EventRecord> events =
                    env.fromSource(source, WatermarkStrategy.noWatermarks(), "generated")
                            .setParallelism(1);
            CloseableIterator<ResultRecord> output =
                    SidecarStreams.process(
                                    events.keyBy(EventRecord::key, Types.STRING),
                                    SidecarOperatorOptions.defaults()
                                            .with(
                                                    SidecarOperatorOptions.SOCKET_PATH,
                                                    socket.toString()))
                            .collectAsync();
            JobClient job = env.executeAsync("HotSwapITCase");

            int[] next = {1};
            deployer.scheduleAtFixedRate(
                    () -> {
                        int i = next[0]++;
                        try {
                            Path config =
                                    Files.writeString(tmp.resolve("seq-" + i + ".json"), config(i));
                            String answer =
                                    TestSidecars.admin(
                                            admin,
                                            "deploy",
                                            TestSidecars.exampleJar("threshold").toString(),
                                            "--config",
                                            config.toString());
                            deployed.add(versionOf(answer));
                        } catch (Throwable e) {
                            deployFailures.add("deploy " + i + ": " + e);
                        }
                    },
                    1,
                    1,
                    TimeUnit.SECONDS);

            try (output) {
                output.forEachRemaining(results::add);
            }
            job.getJobExecutionResult().get(4, TimeUnit.MINUTES);
            deployer.shutdown();
            assertThat(deployer.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            assertThat(sidecar.isAlive()).as("sidecar still running: %s", sidecar.tail()).isTrue();
            assertThat(TestSidecars.admin(admin, "status"))
                    .as("the operator passed its checkpoint barriers on")
                    .containsPattern("last checkpoint barrier [1-9]");
        } finally {
            deployer.shutdownNow();
        }

        assertThat(deployFailures).isEmpty();
        assertEveryEventOnceByOneVersionNeverGoingBack(results, deployed);
    }

    private static void assertEveryEventOnceByOneVersionNeverGoingBack(
            List<ResultRecord> results, List<String> deployed) {
        BitSet seen = new BitSet(EVENTS);
        Map<String, Integer> lastVersionOfKey = new HashMap<>();
        Map<String, Long> lastTimeOfKey = new HashMap<>();
        BitSet versionsUsed = new BitSet();
        for (ResultRecord result : results) {
            int n = Math.toIntExact(result.time() - BASE);
            assertThat(seen.get(n)).as("event %d answered twice", n).isFalse();
            seen.set(n);
            assertThat(result.rule()).isEqualTo("seq");
            assertThat(result.key()).isEqualTo("k" + n % KEYS);
            assertThat(deployed)
                    .as("result version of event %d is one that was deployed", n)
                    .contains(result.version());
            int version = deployIndex(result.version());
            versionsUsed.set(version);
            // results of a key leave in input order, so per key the versions must never go back
            Long before = lastTimeOfKey.put(result.key(), result.time());
            assertThat(before == null || before < result.time())
                    .as("order of key %s", result.key())
                    .isTrue();
            Integer previous = lastVersionOfKey.put(result.key(), version);
            assertThat(previous == null || previous <= version)
                    .as(
                            "key %s went back from version 1.0.%s to 1.0.%s at event %d",
                            result.key(), previous, version, n)
                    .isTrue();
        }
        assertThat(seen.cardinality()).as("events answered").isEqualTo(EVENTS);
        assertThat(versionsUsed.cardinality())
                .as("versions that handled events (deployed: %s)", deployed)
                .isGreaterThanOrEqualTo(4);
        System.out.printf(
                "HotSwapITCase: %d events answered once each; %d versions deployed, %d of them handled events%n",
                seen.cardinality(), deployed.size(), versionsUsed.cardinality());
    }

    private static int deployIndex(String version) {
        Matcher m = SEQ_VERSION.matcher(version);
        assertThat(m.matches()).as("version %s", version).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String versionOf(String adminOutput) {
        Matcher m = DEPLOYED.matcher(adminOutput);
        if (m.find()) {
            return m.group(1);
        }
        Matcher listed = SEQ_VERSION.matcher(adminOutput);
        assertThat(listed.find()).as("a version in: %s", adminOutput).isTrue();
        return listed.group();
    }

    private static String config(int version) {
        return "{\"id\": \"seq\", \"field\": \"n\", \"limit\": -1, \"version\": \"1.0."
                + version
                + "\"}";
    }

    /** Event {@code n}: key {@code k<n % KEYS>}, time {@code BASE + n}, attribute {@code n}. */
    private static EventRecord event(long n) {
        return EventRecord.builder("k" + n % KEYS, BASE + n).type("tick").set("n", n).build();
    }
}
