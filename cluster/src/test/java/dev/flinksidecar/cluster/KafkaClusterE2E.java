package dev.flinksidecar.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.job.JobOutput;
import dev.flinksidecar.kafka.tools.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on live topics, driven only through the scripts of {@code cluster/bin} as a user would:
 * {@code start-kafka.sh} (a real KRaft broker), {@code start-cluster.sh} (a JobManager, 2
 * TaskManagers and their sidecars), {@code kafka.sh create-topic} and {@code kafka.sh generate}
 * writing payments while {@code flink.sh run -d} runs the job from that topic to a result topic,
 * exactly once, and {@code swap-rule.sh} deploying a new version of a rule on both sidecars
 * meanwhile. The rule ({@code seq}: the threshold example with limit -1) answers every payment:
 * every generated event is answered exactly once in the committed output, both versions answer, and
 * no key goes back to the old version after its switch. Broker and cluster are stopped with their
 * scripts after the test, also when it fails.
 */
@Timeout(420)
class KafkaClusterE2E {

    private static final Path ROOT = projectRoot();
    private static final Pattern JOB_ID =
            Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final int TASKMANAGERS = 2;

    @TempDir static Path tmp;

    private static Path clusterDir;
    private static Path kafkaDir;
    private static Path rulesDir;
    private static Scripts scripts;
    private static String bootstrap;
    private static boolean clusterStarted;
    private static Process generator;

    @BeforeAll
    static void startKafkaAndTheCluster() throws Exception {
        scripts = new Scripts(ROOT.resolve("cluster/bin"), tmp.resolve("logs"));
        kafkaDir = tmp.resolve("kafka");
        int kafkaPort = Scripts.freePort();
        Scripts.Result kafka =
                scripts.run(
                        Duration.ofSeconds(150),
                        "start-kafka.sh",
                        "--dir",
                        kafkaDir.toString(),
                        "--port",
                        String.valueOf(kafkaPort),
                        "--timeout",
                        "120");
        assertThat(kafka.exitCode()).as("start-kafka.sh: %s", kafka.output()).isZero();
        bootstrap = "localhost:" + kafkaPort;
        assertThat(kafka.output().strip())
                .as("the bootstrap address, printed last")
                .endsWith(bootstrap);

        clusterDir = tmp.resolve("cluster");
        rulesDir = Files.createDirectories(tmp.resolve("rules"));
        Files.copy(
                ROOT.resolve("examples/target/rules/threshold.jar"), rulesDir.resolve("seq.jar"));
        Files.writeString(rulesDir.resolve("seq.json"), seqConfig("1.0.0"));
        clusterStarted = true;
        scripts.startCluster(clusterDir, TASKMANAGERS, rulesDir);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (generator != null && generator.isAlive()) {
            generator.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
        }
        if (clusterStarted) {
            Scripts.Result stopped =
                    scripts.run(
                            Duration.ofSeconds(120),
                            "stop-cluster.sh",
                            "--dir",
                            clusterDir.toString());
            assertThat(stopped.exitCode()).as("stop-cluster.sh: %s", stopped.output()).isZero();
        }
        if (scripts != null) {
            Scripts.Result stopped =
                    scripts.run(
                            Duration.ofSeconds(60), "stop-kafka.sh", "--dir", kafkaDir.toString());
            assertThat(stopped.exitCode()).as("stop-kafka.sh: %s", stopped.output()).isZero();
        }
    }

    @Test
    void aLiveTopicThroughTheClusterWithARuleSwappedMeanwhileAnswersEveryEventOnce()
            throws Exception {
        for (String topic :
                List.of("payments", "results", "results-late", "results-dead-letters")) {
            Scripts.Result created = kafka("create-topic", topic, "--partitions", "3");
            assertThat(created.exitCode())
                    .as("kafka.sh create-topic %s: %s", topic, created.output())
                    .isZero();
        }
        Path generatorLog = tmp.resolve("logs/generate.log");
        generator =
                new ProcessBuilder(
                                ROOT.resolve("cluster/bin/kafka.sh").toString(),
                                "--dir",
                                kafkaDir.toString(),
                                "generate",
                                "--topic",
                                "payments",
                                "--rate",
                                "1500",
                                "--keys",
                                "200")
                        .redirectErrorStream(true)
                        .redirectOutput(generatorLog.toFile())
                        .start();

        Scripts.Result submitted =
                scripts.run(
                        Duration.ofSeconds(120),
                        "flink.sh",
                        "--dir",
                        clusterDir.toString(),
                        "run",
                        "-d",
                        ROOT.resolve("flink-job/target/flink-sidecar-job.jar").toString(),
                        "--input",
                        "kafka://" + bootstrap + "/payments?offsets=earliest",
                        "--output",
                        "kafka://" + bootstrap + "/results",
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "1s",
                        "--job-name",
                        "live-e2e");
        assertThat(submitted.exitCode()).as("flink run -d: %s", submitted.output()).isZero();
        Matcher id = JOB_ID.matcher(submitted.output());
        assertThat(id.find()).as("job id in: %s", submitted.output()).isTrue();
        String jobId = id.group(1);

        List<String> results = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader =
                Topics.committedReader(bootstrap, "results", true)) {
            Deadline.within(Duration.ofSeconds(120))
                    .await(
                            "committed results of version 1.0.0",
                            () -> read(reader, results) && count(results, "1.0.0") >= 2_000);
            Path config = Files.writeString(tmp.resolve("seq-2.json"), seqConfig("2.0.0"));
            Scripts.Result swapped =
                    scripts.run(
                            Duration.ofSeconds(60),
                            "swap-rule.sh",
                            "--dir",
                            clusterDir.toString(),
                            rulesDir.resolve("seq.jar").toString(),
                            "--config",
                            config.toString());
            assertThat(swapped.exitCode()).as("swap-rule.sh: %s", swapped.output()).isZero();
            assertThat(swapped.output())
                    .contains("tm-1: sidecar admin deploy")
                    .contains("tm-2: sidecar admin deploy");
            Deadline.within(Duration.ofSeconds(120))
                    .await(
                            "committed results of version 2.0.0",
                            () -> read(reader, results) && count(results, "2.0.0") >= 2_000);

            generator.destroy(); // SIGTERM: the generator flushes what it sent and exits
            assertThat(generator.waitFor(1, TimeUnit.MINUTES)).as("the generator stopped").isTrue();
            List<String> events =
                    Topics.committedValuesToEnd(bootstrap, "payments", Duration.ofMinutes(1));
            assertThat(events).as("generated events").hasSizeGreaterThan(4_000);
            assertThat(Files.readString(generatorLog))
                    .contains("sent " + events.size() + " events to payments");
            Deadline.within(Duration.ofSeconds(120))
                    .await(
                            "a result for each of the " + events.size() + " events",
                            () -> read(reader, results) && results.size() >= events.size());
            assertThat(scripts.jobState(jobId)).isEqualTo("RUNNING");
            Scripts.Result cancelled =
                    scripts.run(
                            Duration.ofSeconds(60),
                            "flink.sh",
                            "--dir",
                            clusterDir.toString(),
                            "cancel",
                            jobId);
            assertThat(cancelled.exitCode()).as("flink cancel: %s", cancelled.output()).isZero();

            assertThat(answers(results))
                    .as("every generated event answered once, nothing else")
                    .containsExactlyInAnyOrderElementsOf(questions(events));
        }
        assertVersionsNeverGoBack(results);
    }

    /** Polls the committed results once; true, to be used inside a condition. */
    private static boolean read(KafkaConsumer<byte[], byte[]> reader, List<String> results) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
            results.add(new String(record.value(), StandardCharsets.UTF_8));
        }
        return true;
    }

    private static long count(List<String> results, String version) {
        return results.stream()
                .filter(l -> JobOutput.field(l, "version").startsWith(version + "+"))
                .count();
    }

    /** Each event as key, time and amount. */
    private static List<String> questions(List<String> events) {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            out.add(
                    JobOutput.field(e, "key")
                            + "@"
                            + JobOutput.field(e, "time")
                            + "="
                            + Double.parseDouble(JobOutput.field(e, "amount")));
        }
        return out;
    }

    /** Each result as the key, time and amount of the event it answers. */
    private static List<String> answers(List<String> results) {
        List<String> out = new ArrayList<>();
        for (String r : results) {
            assertThat(JobOutput.field(r, "rule")).isEqualTo("seq");
            out.add(
                    JobOutput.field(r, "key")
                            + "@"
                            + JobOutput.field(r, "time")
                            + "="
                            + Double.parseDouble(JobOutput.field(r, "value")));
        }
        return out;
    }

    /**
     * Per key, in the order its results were committed (one partition per key): 1.0.0 ... then
     * 2.0.0 only.
     */
    private static void assertVersionsNeverGoBack(List<String> results) {
        Map<String, Integer> perVersion = new HashMap<>();
        for (Map.Entry<String, List<String>> key : JobOutput.perKey(results).entrySet()) {
            int previous = 1;
            for (String line : key.getValue()) {
                String version = JobOutput.field(line, "version");
                assertThat(version).matches("[12]\\.0\\.0\\+[0-9a-f]{7}");
                int major = version.charAt(0) - '0';
                assertThat(major)
                        .as("key %s went back to version 1 at %s", key.getKey(), line)
                        .isGreaterThanOrEqualTo(previous);
                previous = major;
                perVersion.merge(version.substring(0, 5), 1, Integer::sum);
            }
        }
        assertThat(perVersion).as("results per version").containsKeys("1.0.0", "2.0.0");
        System.out.printf(
                "KafkaClusterE2E: %d events answered once each; results per version %s%n",
                results.size(), perVersion);
    }

    private static Scripts.Result kafka(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--dir", kafkaDir.toString()));
        all.addAll(List.of(args));
        return scripts.run(Duration.ofSeconds(90), "kafka.sh", all.toArray(new String[0]));
    }

    private static String seqConfig(String version) {
        return "{\"id\": \"seq\", \"field\": \"amount\", \"limit\": -1, \"version\": \""
                + version
                + "\"}";
    }

    private static Path projectRoot() {
        String root = System.getProperty("project.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return Files.isDirectory(path.resolve("testdata"))
                ? path.toAbsolutePath()
                : Path.of("..").toAbsolutePath();
    }
}
