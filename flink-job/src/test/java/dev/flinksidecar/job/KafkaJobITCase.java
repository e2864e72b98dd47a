package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameLines;
import static dev.flinksidecar.job.LineAssertions.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.kafka.KafkaInput;
import dev.flinksidecar.job.kafka.KafkaOutput;
import dev.flinksidecar.job.kafka.KafkaSinks;
import dev.flinksidecar.job.kafka.KafkaSources;
import dev.flinksidecar.job.local.SupervisedSidecar;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.job.source.InputSplitter;
import dev.flinksidecar.kafka.tools.Deliveries;
import dev.flinksidecar.kafka.tools.KafkaBroker;
import dev.flinksidecar.kafka.tools.Payments;
import dev.flinksidecar.kafka.tools.Topics;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job from a Kafka topic to Kafka topics, exactly once, against a real single-node KRaft broker
 * started for this class (a child process from {@code kafka-tools/target/lib}, on a free port, in
 * the class's own folder, killed at the end), a real sidecar process with the three example rules,
 * and a MiniCluster. The job's committed output (read with {@code isolation.level=read_committed})
 * must be {@code replay}'s results on the same events: as a multiset, and per rule and key in the
 * same order; nothing twice, nothing missing. Files and topics mix too: {@code testdata/} into a
 * topic gives {@code testdata/expected/}, the topic into files gives {@code replay}'s results.
 *
 * <p>Each partition is written in time order (the events are in time order and a key's events share
 * a partition), so with per-partition watermarks no event is late and the windows hold what {@code
 * replay}'s hold. That needs the topic to hold exactly the lines sent, in the order sent: {@link
 * Topics#producer} keeps one request in flight for that, and every send is checked ({@link
 * Deliveries}), so a record the broker did not take fails the test as such.
 *
 * <p>The run with failures paces its events (4,000 a second per subtask) so that the three sidecar
 * kills fall inside it, the forced failure (after 40,000 events of a subtask) after them; it is
 * composed of the job's own source, operator and sinks, since the job's pipeline has no place for a
 * failing map.
 *
 * <p>A run drained after every partition went quiet for longer than the idle timeout ends with its
 * source idle, so Flink drops the final watermark on its way; the operator sends it itself, and
 * every window still fires.
 */
@Timeout(600)
class KafkaJobITCase {

    private static final int EVENTS = 100_000;
    private static final int KEYS = 500;
    private static final long STEP_MS = 10;
    private static final String INPUT = "payments";
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path tmp;

    private static KafkaBroker broker;
    private static Path rules;
    private static List<String> produced;
    private static List<String> reference;

    @BeforeAll
    static void produceTheInput() throws Exception {
        broker = KafkaTestSupport.broker(tmp.resolve("broker"));
        rules = KafkaTestSupport.exampleRules(tmp.resolve("rules"));
        Topics.create(broker.bootstrap(), INPUT, 3);
        Payments payments = new Payments(42, KEYS);
        produced = new ArrayList<>(EVENTS + 3);
        for (long i = 0; i < EVENTS; i++) {
            produced.add(KafkaTestSupport.payment(payments, i, STEP_MS));
            if (i % 40_000 == 7) {
                produced.add(
                        "{\"time\":"
                                + (KafkaTestSupport.BASE + i * STEP_MS)
                                + ",\"amount\":1}"); // no key
            }
        }
        KafkaTestSupport.produce(broker.bootstrap(), INPUT, produced);
        reference = KafkaTestSupport.replay(rules, produced, tmp.resolve("replay"));
        assertThat(reference).as("replay's results").hasSizeGreaterThan(5_000);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aBoundedRunGivesReplaysResultsExactlyOnce() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bounded"));
        try (SupervisedSidecar sidecar = sidecar(dir)) {
            JobArgs args =
                    JobArgs.parse(
                            new String[] {
                                "--input",
                                input("bounded"),
                                "--output",
                                output("bounded"),
                                "--socket",
                                socket(dir).toString(),
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "500ms",
                                "--bounded",
                                "--job-name",
                                "bounded"
                            },
                            false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
            env.execute("KafkaJobITCase bounded");
        }
        assertSameOutput("bounded run", "bounded");
        List<String> deadLetters =
                Topics.committedValuesToEnd(
                        broker.bootstrap(),
                        "bounded" + KafkaOutput.DEAD_LETTERS_SUFFIX,
                        Duration.ofMinutes(1));
        assertThat(deadLetters)
                .as("dead letters of the records without key")
                .hasSize(3)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .containsPattern(
                                                "\"reason\":\"payments partition [0-2] offset [0-9]+: missing field 'key'\""));
        assertThat(
                        Topics.committedValuesToEnd(
                                broker.bootstrap(),
                                "bounded" + KafkaOutput.LATE_SUFFIX,
                                Duration.ofMinutes(1)))
                .as("late events")
                .isEmpty();
    }

    @Test
    void aFileInputWritesToKafkaAndAKafkaInputToFiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        Path out = dir.resolve("out");
        try (SupervisedSidecar sidecar = sidecar(dir)) {
            runJob(
                    "--input",
                    TestSidecars.ROOT.resolve("testdata/payments.jsonl").toString(),
                    "--output",
                    output("from-file"),
                    "--socket",
                    socket(dir).toString(),
                    "--parallelism",
                    "2",
                    "--checkpoint-interval",
                    "500ms",
                    "--out-of-orderness",
                    "3s",
                    "--job-name",
                    "from-file");
            runJob(
                    "--input",
                    input("to-files"),
                    "--output",
                    out.toString(),
                    "--socket",
                    socket(dir).toString(),
                    "--parallelism",
                    "2",
                    "--checkpoint-interval",
                    "500ms",
                    "--bounded");
        }
        List<String> fromFile =
                JobOutput.withoutBuildHash(
                        Topics.committedValuesToEnd(
                                broker.bootstrap(), "from-file", Duration.ofMinutes(1)));
        for (String rule : KafkaTestSupport.RULES) {
            assertSameLines(
                    "testdata to Kafka, " + rule,
                    KafkaTestSupport.ofRule(fromFile, rule),
                    Files.readAllLines(
                            TestSidecars.ROOT.resolve("testdata/expected/" + rule + ".jsonl")));
        }
        assertThat(
                        Topics.committedValuesToEnd(
                                broker.bootstrap(),
                                "from-file" + KafkaOutput.DEAD_LETTERS_SUFFIX,
                                Duration.ofMinutes(1)))
                .as("dead letters of testdata's malformed lines")
                .hasSameSizeAs(
                        Files.readAllLines(
                                TestSidecars.ROOT.resolve("testdata/expected/dead-letters.jsonl")));

        List<String> toFiles = JobOutput.committedLines(out.resolve(JsonLinesSinks.RESULTS));
        assertSameMultiset("Kafka to files", toFiles, reference);
        assertThat(JobOutput.committedLines(out.resolve(JsonLinesSinks.DEAD_LETTERS))).hasSize(3);
    }

    private static void runJob(String... flags) throws Exception {
        JobArgs args = JobArgs.parse(flags, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
        env.execute("KafkaJobITCase " + args.jobName());
    }

    @Test
    void threeSidecarKillsAndAFlinkFailureChangeNothing(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("failures"));
        String failures = "failures-" + System.nanoTime();
        FAILURES.put(failures, new AtomicInteger());
        try (SupervisedSidecar sidecar = sidecar(dir)) {
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(200));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            env.enableCheckpointing(500);
            // the job's own source and sinks, with a paced map between that fails once, as the
            // job's
            // pipeline has no place for it
            KafkaInput in = KafkaInput.parse(input("failures"));
            KafkaOutput out = KafkaOutput.parse(output("failures"));
            SingleOutputStreamOperator<EventRecord> parsed =
                    KafkaSources.read(env, in, Duration.ZERO, Duration.ofSeconds(30), true);
            DataStream<EventRecord> events =
                    parsed.map(new PacedFailOnce(failures, 4_000, 40_000))
                            .returns(RecordTypes.EVENT)
                            .uid("paced-fail-once");
            SidecarOperatorOptions options =
                    SidecarOperatorOptions.defaults()
                            .with(SidecarOperatorOptions.SOCKET_PATH, socket(dir).toString());
            SingleOutputStreamOperator<ResultRecord> results =
                    SidecarStreams.process(events.keyBy(EventRecord::key, Types.STRING), options)
                            .uid(SidecarStreams.OPERATOR_NAME);
            KafkaSinks.results(results, out, "failures", false);
            KafkaSinks.deadLetters(
                    parsed.getSideOutput(InputSplitter.MALFORMED)
                            .union(results.getSideOutput(SidecarStreams.DEAD_LETTERS)),
                    out,
                    "failures");
            KafkaSinks.lateEvents(
                    results.getSideOutput(SidecarStreams.LATE_EVENTS), out, "failures");
            JobClient client = env.executeAsync("KafkaJobITCase failures");
            try {
                new FlinkRest(FLINK.getClientConfiguration())
                        .awaitRunning(client.getJobID(), SidecarStreams.OPERATOR_NAME, 2);
                for (int kill = 0; kill < 3; kill++) {
                    Thread.sleep(1_500); // the schedule of the kills
                    long pid = sidecar.pid();
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    sidecar.awaitReadyOtherThan(pid, Duration.ofMinutes(1));
                }
                assertThat(client.getJobStatus().get())
                        .as("the job ran through the three kills")
                        .isEqualTo(JobStatus.RUNNING);
                client.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            } finally {
                if (!client.getJobStatus().get().isGloballyTerminalState()) {
                    client.cancel().get(1, TimeUnit.MINUTES);
                }
            }
            assertThat(sidecar.restarts()).as("sidecar restarts").isEqualTo(3);
            assertThat(
                            cluster.getExecutionGraphInfo(client.getJobID())
                                    .get(1, TimeUnit.MINUTES)
                                    .getExceptionHistory())
                    .as("Flink restarts: the forced failure only")
                    .hasSize(1);
        } finally {
            FAILURES.remove(failures);
        }
        assertSameOutput("run with 3 sidecar kills and a Flink failure", "failures");
    }

    @Test
    void anUnboundedRunStoppedWithASavepointAndResumedMissesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("savepoint"));
        Path savepoints = Files.createDirectories(dir.resolve("savepoints"));
        String topic = "live";
        Topics.create(broker.bootstrap(), topic, 3);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        FutureTask<Void> producing = new FutureTask<>(() -> produceLive(topic, lines, stop));
        new Thread(producing, "live-producer").start();
        String group = "savepoint-test";
        String[] flags = {
            "--input",
            "kafka://" + broker.bootstrap() + "/" + topic + "?group=" + group + "&offsets=earliest",
            "--output",
            output("resumed"),
            "--socket",
            socket(dir).toString(),
            "--parallelism",
            "2",
            "--checkpoint-interval",
            "500ms",
            "--job-name",
            "resumed"
        };
        try (SupervisedSidecar sidecar = sidecar(dir)) {
            JobClient first = submit(flags, null);
            String savepoint;
            try {
                awaitCommittedResults("resumed", 1_000);
                savepoint =
                        first.stopWithSavepoint(
                                        false,
                                        savepoints.toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get(2, TimeUnit.MINUTES);
            } finally {
                cancelIfRunning(first);
            }
            awaitProduced(lines, lines.size() + 5_000); // events keep coming while no job runs
            JobClient second = submit(flags, savepoint);
            try {
                awaitProduced(lines, lines.size() + 10_000);
                stop.set(true);
                // every line written: the producer throws if one was not
                producing.get(1, TimeUnit.MINUTES);
                awaitConsumed(topic, group);
                // drain: the final watermark fires every open window before the last commit
                second.stopWithSavepoint(
                                true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
            } finally {
                cancelIfRunning(second);
            }
        } finally {
            stop.set(true);
            producing.cancel(true);
        }
        assertThat(
                        Topics.committedValuesToEnd(
                                broker.bootstrap(),
                                "resumed" + KafkaOutput.LATE_SUFFIX,
                                Duration.ofMinutes(1)))
                .as("late events (each partition is in time order)")
                .isEmpty();
        List<String> expected =
                KafkaTestSupport.replay(rules, new ArrayList<>(lines), tmp.resolve("replay-live"));
        List<String> actual =
                Topics.committedValuesToEnd(broker.bootstrap(), "resumed", Duration.ofMinutes(1));
        assertSameMultiset(
                "results of a run stopped with a savepoint and resumed", actual, expected);
    }

    /**
     * Every partition quiet for longer than the idle timeout, then a drain: the source is idle when
     * its input ends, and the final watermark Flink emits then never reaches the operator. The
     * events span less than one window, so without the operator sending the final watermark itself
     * no window would fire at all.
     */
    @Test
    void aRunDrainedAfterItsInputWentIdleFiresEveryWindow() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("idle"));
        String topic = "quiet";
        String group = "idle-test";
        Topics.create(broker.bootstrap(), topic, 3);
        Payments payments = new Payments(11, 100);
        List<String> lines = new ArrayList<>();
        for (long i = 0; i < 6_000; i++) {
            lines.add(KafkaTestSupport.payment(payments, i, STEP_MS)); // one minute of event time
        }
        KafkaTestSupport.produce(broker.bootstrap(), topic, lines);
        StatusProbe probe = StatusProbe.create();
        try (SupervisedSidecar sidecar = sidecar(dir)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(500);
            KafkaOutput out = KafkaOutput.parse(output("drained"));
            String input = "kafka://" + broker.bootstrap() + "/" + topic + "?group=" + group;
            SingleOutputStreamOperator<EventRecord> parsed =
                    KafkaSources.read(
                            env,
                            KafkaInput.parse(input + "&offsets=earliest"),
                            Duration.ZERO,
                            Duration.ofMillis(500),
                            false);
            DataStream<EventRecord> events =
                    parsed.transform("status-probe", RecordTypes.EVENT, probe);
            SingleOutputStreamOperator<ResultRecord> results =
                    SidecarStreams.process(
                            events.keyBy(EventRecord::key, Types.STRING),
                            SidecarOperatorOptions.defaults()
                                    .with(
                                            SidecarOperatorOptions.SOCKET_PATH,
                                            socket(dir).toString()));
            KafkaSinks.results(results, out, "drained", false);
            KafkaSinks.deadLetters(
                    results.getSideOutput(SidecarStreams.DEAD_LETTERS), out, "drained");
            KafkaSinks.lateEvents(
                    results.getSideOutput(SidecarStreams.LATE_EVENTS), out, "drained");
            JobClient client = env.executeAsync("KafkaJobITCase drained");
            try {
                awaitConsumed(topic, group);
                probe.awaitIdle(
                        2, Duration.ofMinutes(1)); // once all is read, the source stays idle
                client.stopWithSavepoint(
                                true,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
            } finally {
                cancelIfRunning(client);
            }
        } finally {
            probe.forget();
        }
        List<String> expected = KafkaTestSupport.replay(rules, lines, tmp.resolve("replay-idle"));
        assertThat(JobOutput.ofRule(expected, "windowed-aggregate"))
                .as("replay's windows")
                .hasSize(100);
        assertSameMultiset(
                "results of a run drained after its input went idle",
                Topics.committedValuesToEnd(broker.bootstrap(), "drained", Duration.ofMinutes(1)),
                expected);
    }

    private static JobClient submit(String[] flags, String savepoint) throws Exception {
        JobArgs args = JobArgs.parse(flags, false);
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
        return env.executeAsync("KafkaJobITCase " + (savepoint == null ? "first" : "resumed"));
    }

    /**
     * Sends payments in time order at about 4,000 a second until stopped, noting each line sent;
     * then waits until every one is acknowledged, and throws when one was not written.
     */
    private static Void produceLive(String topic, List<String> lines, AtomicBoolean stop)
            throws InterruptedException {
        Payments payments = new Payments(7, 200);
        Deliveries deliveries = new Deliveries(topic);
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                Topics.producer(broker.bootstrap())) {
            long i = 0;
            long start = System.nanoTime();
            while (!stop.get()) {
                String line = KafkaTestSupport.payment(payments, i++, STEP_MS);
                producer.send(
                        new org.apache.kafka.clients.producer.ProducerRecord<>(
                                topic,
                                Topics.keyOf(line),
                                line.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        deliveries);
                lines.add(line);
                long ahead = start + i * 250_000L - System.nanoTime();
                if (ahead > 0) {
                    Thread.sleep(
                            ahead / 1_000_000, (int) (ahead % 1_000_000)); // the producer's pace
                }
            }
            producer.flush();
        }
        deliveries.check();
        return null;
    }

    private static void awaitProduced(List<String> lines, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (lines.size() < count) {
            assertThat(System.nanoTime())
                    .as("%d events produced within 2 minutes", count)
                    .isLessThan(deadline);
            Thread.sleep(100); // polling the producer's count, bounded by the deadline
        }
    }

    /** Waits until at least {@code count} results of {@code topic} are committed. */
    private static void awaitCommittedResults(String topic, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (KafkaConsumer<byte[], byte[]> consumer =
                Topics.committedReader(broker.bootstrap(), topic, true)) {
            int seen = 0;
            while (seen < count) {
                assertThat(System.nanoTime())
                        .as("%d committed results within 2 minutes", count)
                        .isLessThan(deadline);
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
    }

    /** Waits until the job's group has committed, at a checkpoint, every offset of the topic. */
    private static void awaitConsumed(String topic, String group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        broker.bootstrap()));
                KafkaConsumer<byte[], byte[]> reader =
                        Topics.committedReader(broker.bootstrap(), topic, false)) {
            Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment());
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get(1, TimeUnit.MINUTES);
                if (end.entrySet().stream()
                        .allMatch(
                                e ->
                                        committed.get(e.getKey()) != null
                                                && committed.get(e.getKey()).offset()
                                                        >= e.getValue())) {
                    return;
                }
                assertThat(System.nanoTime())
                        .as(
                                "group %s at the end %s within 2 minutes (at %s)",
                                group, end, committed)
                        .isLessThan(deadline);
                Thread.sleep(200); // polling the group's offsets, bounded by the deadline
            }
        }
    }

    private static void cancelIfRunning(JobClient client) throws Exception {
        if (!client.getJobStatus().get().isGloballyTerminalState()) {
            client.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    private static void assertSameOutput(String what, String outputTopic) {
        List<String> actual =
                Topics.committedValuesToEnd(broker.bootstrap(), outputTopic, Duration.ofMinutes(1));
        assertSameMultiset(what, actual, reference);
        for (String rule : KafkaTestSupport.RULES) {
            assertSameLines(
                    what + ", " + rule,
                    KafkaTestSupport.ofRule(actual, rule),
                    KafkaTestSupport.ofRule(reference, rule));
        }
    }

    private static SupervisedSidecar sidecar(Path dir) throws Exception {
        return SupervisedSidecar.start(
                TestSidecars.command(dir),
                socket(dir),
                rules,
                dir.resolve("sidecar.log"),
                Duration.ofMinutes(1));
    }

    private static Path socket(Path dir) {
        return dir.resolve("s.sock");
    }

    private static String input(String group) {
        return "kafka://"
                + broker.bootstrap()
                + "/"
                + INPUT
                + "?group="
                + group
                + "&offsets=earliest";
    }

    /** The output address of {@code topic}, after creating its three topics (3 partitions each). */
    private static String output(String topic) throws Exception {
        for (String suffix :
                List.of("", KafkaOutput.LATE_SUFFIX, KafkaOutput.DEAD_LETTERS_SUFFIX)) {
            Topics.create(broker.bootstrap(), topic + suffix, 3);
        }
        return "kafka://" + broker.bootstrap() + "/" + topic;
    }

    /**
     * Passes events on at about {@code perSecond} per subtask, so that the job lasts long enough
     * for the sidecar kills, and throws once, after {@code failAfter} events of a subtask, for the
     * first attempt that gets there (counted across attempts under {@code failures}).
     */
    private static final class PacedFailOnce extends RichMapFunction<EventRecord, EventRecord> {
        private static final long serialVersionUID = 1L;
        private final String failures;
        private final long perSecond;
        private final long failAfter;
        private transient long seen;
        private transient long start;

        PacedFailOnce(String failures, long perSecond, long failAfter) {
            this.failures = failures;
            this.perSecond = perSecond;
            this.failAfter = failAfter;
        }

        @Override
        public void open(OpenContext context) {
            start = System.nanoTime();
        }

        @Override
        public EventRecord map(EventRecord event) throws InterruptedException {
            seen++;
            if (seen == failAfter && FAILURES.get(failures).compareAndSet(0, 1)) {
                throw new IllegalStateException("forced failure after " + seen + " events (test)");
            }
            long ahead = start + seen * 1_000_000_000L / perSecond - System.nanoTime();
            if (ahead > 1_000_000) {
                Thread.sleep(ahead / 1_000_000); // the pace of the run
            }
            return event;
        }
    }
}
