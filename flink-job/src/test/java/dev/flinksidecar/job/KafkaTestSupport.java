package dev.flinksidecar.job;

import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.kafka.tools.Deliveries;
import dev.flinksidecar.kafka.tools.KafkaBroker;
import dev.flinksidecar.kafka.tools.Payments;
import dev.flinksidecar.kafka.tools.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the Kafka ITCases share: a real broker, the example rules, payments in time order, and
 * {@code replay} in this JVM as the reference.
 */
final class KafkaTestSupport {

    static final List<String> RULES = List.of("threshold", "merchant-watch", "windowed-aggregate");
    static final long BASE = 1_767_225_600_000L;

    private KafkaTestSupport() {}

    /**
     * A single-node KRaft broker on a free port in {@code dir}, from {@code
     * kafka-tools/target/lib}.
     */
    static KafkaBroker broker(Path dir) throws IOException, InterruptedException {
        return KafkaBroker.start(
                dir, 0, KafkaBroker.classPath(TestSidecars.ROOT), Duration.ofMinutes(2));
    }

    /** The three example rules with their default configs in {@code dir}. */
    static Path exampleRules(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String rule : RULES) {
            for (String ext : List.of(".jar", ".json")) {
                Files.copy(
                        TestSidecars.ROOT.resolve("examples/target/rules/" + rule + ext),
                        dir.resolve(rule + ext));
            }
        }
        return dir;
    }

    /** Payment {@code i} of a stream in time order (one every {@code stepMs}), as a JSON line. */
    static String payment(Payments payments, long i, long stepMs) {
        EventRecord event = payments.next(BASE + i * stepMs);
        return EventJson.toJson(event);
    }

    /**
     * Sends {@code lines} in order, each keyed by its event's key, and waits until all are
     * acknowledged; throws when one was not written.
     */
    static void produce(String bootstrap, String topic, List<String> lines) {
        Deliveries deliveries = new Deliveries(topic);
        try (KafkaProducer<byte[], byte[]> producer = Topics.producer(bootstrap)) {
            for (String line : lines) {
                producer.send(
                        new ProducerRecord<>(
                                topic, Topics.keyOf(line), line.getBytes(StandardCharsets.UTF_8)),
                        deliveries);
            }
            producer.flush();
        }
        deliveries.check();
    }

    /**
     * {@code sidecar replay} of {@code lines} with {@code rules} from the sidecar jar,
     * out-of-orderness 0: its results, in input order.
     */
    static List<String> replay(Path rules, List<String> lines, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path input = Files.write(dir.resolve("events.jsonl"), lines);
        Path results = dir.resolve("results.jsonl");
        TestSidecars.sidecar(
                "replay",
                "--rules-dir",
                rules.toString(),
                "--input",
                input.toString(),
                "--output",
                results.toString(),
                "--late-output",
                dir.resolve("late.jsonl").toString(),
                "--dead-letter-output",
                dir.resolve("dead-letters.jsonl").toString(),
                "--out-of-orderness",
                "0s",
                "--no-progress");
        return Files.readAllLines(results, StandardCharsets.UTF_8);
    }

    /** The lines of one rule, for comparisons per rule. */
    static List<String> ofRule(List<String> lines, String rule) {
        return new ArrayList<>(JobOutput.ofRule(lines, rule));
    }
}
