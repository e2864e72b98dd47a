package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.kafka.KafkaInput;
import dev.flinksidecar.job.kafka.KafkaOutput;
import dev.flinksidecar.job.kafka.KafkaSinks;
import dev.flinksidecar.job.kafka.KafkaSources;
import dev.flinksidecar.kafka.tools.Deliveries;
import dev.flinksidecar.kafka.tools.KafkaBroker;
import dev.flinksidecar.kafka.tools.Topics;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka to the job to Kafka: the job's own Kafka source and exactly-once Kafka sink around the
 * threshold rule, once with the rule in process (a plain KeyedProcessFunction, as {@link
 * JobComparison}), once through a real sidecar process over a Unix socket; at each parallelism,
 * runs alternate in one JVM after a warm-up of both. A real single-node KRaft broker (a child
 * process from {@code kafka-tools/target/lib}) holds the input topic, written once, and one output
 * topic per run.
 *
 * <p>Throughput is measured after the source (the rate of a subtask between its 10% and its last
 * event, summed; backpressure makes it the pipeline's, Kafka writes included), not the time until
 * the last transaction commits. Each run's committed results are counted: both paths must give the
 * same number.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.KafkaComparison [--events 1000000] [--runs 3] [--parallelism 1,2] [--keys 10000]
 *     [--partitions 4] [--checkpoint-interval-ms 2000]
 * </pre>
 *
 * Run from the repository root after {@code mvn -DskipTests package}.
 */
public final class KafkaComparison {

    private static final String INPUT = "bench-in";

    private final String bootstrap;
    private final long events;
    private final int partitions;
    private final long checkpointMs;
    private final String socket;
    private int outputs;

    private KafkaComparison(
            String bootstrap, long events, int partitions, long checkpointMs, String socket) {
        this.bootstrap = bootstrap;
        this.events = events;
        this.partitions = partitions;
        this.checkpointMs = checkpointMs;
        this.socket = socket;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        long events = Long.parseLong(flags.getOrDefault("--events", "1000000"));
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        int keys = Integer.parseInt(flags.getOrDefault("--keys", "10000"));
        int partitions = Integer.parseInt(flags.getOrDefault("--partitions", "4"));
        long checkpointMs = Long.parseLong(flags.getOrDefault("--checkpoint-interval-ms", "2000"));
        List<Integer> parallelisms = new ArrayList<>();
        for (String p : flags.getOrDefault("--parallelism", "1,2").split(",")) {
            parallelisms.add(Integer.parseInt(p.trim()));
        }

        Path dir = Files.createTempDirectory("kafka-bench");
        Path rules = BenchSidecar.thresholdRules(dir, "rules");
        try (KafkaBroker broker =
                        KafkaBroker.start(
                                dir.resolve("broker"),
                                0,
                                KafkaBroker.classPath(Path.of(".")),
                                Duration.ofMinutes(2));
                BenchSidecar sidecar =
                        BenchSidecar.start(
                                Path.of("sidecar/target/sidecar.jar"), rules, dir, List.of())) {
            KafkaComparison bench =
                    new KafkaComparison(
                            broker.bootstrap(),
                            events,
                            partitions,
                            checkpointMs,
                            sidecar.socket.toString());
            System.out.printf(
                    "events per run %,d (JSON), keys %,d, input partitions %d, threshold limit %.0f,"
                            + " exactly-once output, checkpoints every %d ms%n",
                    events, keys, partitions, JobComparison.LIMIT, checkpointMs);
            bench.produce(keys);
            for (int parallelism : parallelisms) {
                bench.compare(parallelism, runs);
            }
        }
    }

    /** Writes the input topic once: synthetic payments as JSON, keyed by card. */
    private void produce(int keys) throws Exception {
        Topics.create(bootstrap, INPUT, partitions);
        long start = System.nanoTime();
        Deliveries deliveries = new Deliveries(INPUT);
        try (KafkaProducer<byte[], byte[]> producer = Topics.producer(bootstrap)) {
            for (long i = 0; i < events; i++) {
                EventRecord event = SyntheticPayments.event(i, keys);
                producer.send(
                        new ProducerRecord<>(
                                INPUT,
                                event.key().getBytes(StandardCharsets.UTF_8),
                                EventJson.toJson(event).getBytes(StandardCharsets.UTF_8)),
                        deliveries);
            }
            producer.flush();
        }
        deliveries.check();
        System.out.printf(
                "input written: %,d events in %.1f s%n", events, (System.nanoTime() - start) / 1e9);
    }

    private void compare(int parallelism, int runs) throws Exception {
        run(parallelism, false);
        run(parallelism, true);
        List<Double> inProcess = new ArrayList<>();
        List<Double> sidecar = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Run a = run(parallelism, false);
            Run b = run(parallelism, true);
            if (a.results != b.results) {
                throw new IllegalStateException(
                        "committed results differ: in-process "
                                + a.results
                                + ", sidecar "
                                + b.results);
            }
            inProcess.add(a.rate);
            sidecar.add(b.rate);
            System.out.printf(
                    "parallelism %d, run %d: in-process %,.0f events/s, sidecar %,.0f events/s"
                            + " (%,d committed results each)%n",
                    parallelism, r + 1, a.rate, b.rate, a.results);
        }
        double a = median(inProcess);
        double b = median(sidecar);
        System.out.printf(
                "parallelism %d median: in-process %,.0f events/s, sidecar %,.0f events/s, ratio %.2f%n",
                parallelism, a, b, b / a);
    }

    /** One bounded run from the input topic to a new output topic. */
    private Run run(int parallelism, boolean throughSidecar) throws Exception {
        String output = "bench-out-" + (++outputs);
        Topics.create(bootstrap, output, partitions);
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(checkpointMs);
        KafkaInput in =
                KafkaInput.parse(
                        "kafka://" + bootstrap + "/" + INPUT + "?offsets=earliest&group=" + output);
        DataStream<EventRecord> source =
                KafkaSources.read(env, in, Duration.ZERO, Duration.ofSeconds(30), true)
                        .map(new SourceRate(events / parallelism / 10))
                        .returns(RecordTypes.EVENT);
        KeyedStream<EventRecord, String> keyed = source.keyBy(EventRecord::key, Types.STRING);
        DataStream<ResultRecord> results =
                throughSidecar
                        ? SidecarStreams.process(
                                keyed,
                                SidecarOperatorOptions.defaults()
                                        .with(SidecarOperatorOptions.SOCKET_PATH, socket))
                        : keyed.process(
                                new InProcessThreshold(JobComparison.LIMIT), RecordTypes.RESULT);
        KafkaSinks.results(
                results, KafkaOutput.parse("kafka://" + bootstrap + "/" + output), output, false);
        SourceRate.reset();
        env.execute(output);
        double rate = SourceRate.rate();
        long committed =
                Topics.committedValuesToEnd(bootstrap, output, Duration.ofMinutes(2)).size();
        return new Run(rate, committed);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static final class Run {
        final double rate;
        final long results;

        Run(double rate, long results) {
            this.rate = rate;
            this.results = results;
        }
    }

    /**
     * Chained to the source: the time of each subtask's {@code skip}-th event and of its last (read
     * every 1,024 events, so the wait for the final checkpoint after the input ends does not
     * count). The MiniCluster runs in this JVM: static fields carry the figures back.
     */
    static final class SourceRate extends RichMapFunction<EventRecord, EventRecord> {
        private static final long serialVersionUID = 1L;
        private static final AtomicLong FIRST = new AtomicLong(Long.MAX_VALUE);
        private static final AtomicLong LAST = new AtomicLong();
        private static final AtomicLong COUNTED = new AtomicLong();

        private final long skip;
        private transient long seen;
        private transient long last;
        private transient long countedAtLast;

        SourceRate(long skip) {
            this.skip = skip;
        }

        static void reset() {
            FIRST.set(Long.MAX_VALUE);
            LAST.set(0);
            COUNTED.set(0);
        }

        /**
         * Events per second between the earliest {@code skip}-th event and the latest last one,
         * over all subtasks.
         */
        static double rate() {
            return COUNTED.get() / ((LAST.get() - FIRST.get()) / 1e9);
        }

        @Override
        public EventRecord map(EventRecord event) {
            if (++seen == skip) {
                FIRST.accumulateAndGet(System.nanoTime(), Math::min);
            } else if (seen > skip && (seen & 1023) == 0) {
                last = System.nanoTime();
                countedAtLast = seen - skip;
            }
            return event;
        }

        @Override
        public void close() {
            LAST.accumulateAndGet(last, Math::max);
            COUNTED.addAndGet(countedAtLast);
        }
    }
}
