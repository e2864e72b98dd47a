package dev.flinksidecar.cluster;

import static dev.flinksidecar.job.LineAssertions.assertSameLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.job.JobOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real standalone Flink cluster, driven only through the scripts in {@code
 * cluster/bin} as a user would: a JobManager and 2 TaskManagers (separate JVMs from {@code
 * cluster/target/flink/lib}), a sidecar beside each TaskManager whose socket that TaskManager's
 * {@code config.yaml} names, and the job jar submitted with Flink's {@code CliFrontend} without
 * {@code --socket}.
 *
 * <p>First the job over {@code testdata/payments.jsonl}, compared with {@code testdata/expected/};
 * then a longer job during which a new version of a rule is deployed on both sidecars with {@code
 * swap-rule.sh}: every event is answered once, both versions answer, and no key goes back to the
 * old version. The cluster is stopped with {@code stop-cluster.sh} after the tests, also when one
 * fails.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterE2E {

    private static final Path ROOT = projectRoot();
    private static final Path BIN = ROOT.resolve("cluster/bin");
    private static final List<String> EXAMPLE_RULES =
            List.of("threshold", "merchant-watch", "windowed-aggregate");
    private static final int TASKMANAGERS = 2;

    /** The hot-swap job: event n has key k(n % KEYS), time BASE + n and attribute n. */
    private static final int SWAP_EVENTS = 200_000;

    private static final int KEYS = 400;
    private static final long BASE = 1_767_225_600_000L;
    private static final Pattern JOB_ID =
            Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    @TempDir static Path tmp;

    private static Path clusterDir;

    /**
     * A copy of flink-job/target/flink-sidecar-job.jar: a rebuild while the tests run cannot change
     * it.
     */
    private static Path jobJar;

    private static Path rulesDir;
    private static Scripts scripts;

    @BeforeAll
    static void startCluster() throws Exception {
        clusterDir = tmp.resolve("cluster");
        rulesDir = Files.createDirectories(tmp.resolve("rules"));
        for (String rule : EXAMPLE_RULES) {
            for (String ext : List.of(".jar", ".json")) {
                Files.copy(
                        ROOT.resolve("examples/target/rules/" + rule + ext),
                        rulesDir.resolve(rule + ext));
            }
        }
        // the rule the hot-swap test swaps: threshold passing every event, as HotSwapITCase runs it
        Files.copy(
                ROOT.resolve("examples/target/rules/threshold.jar"), rulesDir.resolve("seq.jar"));
        Files.writeString(rulesDir.resolve("seq.json"), seqConfig("1.0.0"));
        jobJar =
                Files.copy(
                        ROOT.resolve("flink-job/target/flink-sidecar-job.jar"),
                        tmp.resolve("flink-sidecar-job.jar"));
        scripts = new Scripts(BIN, tmp.resolve("logs"));
        Scripts.Result started = scripts.startCluster(clusterDir, TASKMANAGERS, rulesDir);
        assertThat(started.output()).contains("Flink cluster ready");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (scripts != null) {
            Scripts.Result stopped =
                    scripts.run(
                            Duration.ofSeconds(120),
                            "stop-cluster.sh",
                            "--dir",
                            clusterDir.toString());
            assertThat(stopped.exitCode()).as("stop-cluster.sh: %s", stopped.output()).isZero();
            assertThat(processesOf(clusterDir))
                    .as("processes of the cluster after stop-cluster.sh")
                    .isEmpty();
        }
    }

    @Test
    @Order(1)
    void runsTheJobOverTestdataAndGivesTheExpectedResults() throws Exception {
        Scripts.Result status =
                scripts.run(
                        Duration.ofSeconds(60),
                        "cluster-status.sh",
                        "--dir",
                        clusterDir.toString());
        assertThat(status.exitCode()).as("cluster-status.sh: %s", status.output()).isZero();
        assertThat(status.output())
                .contains("2 TaskManagers")
                .contains("tm-1 sidecar")
                .contains("tm-2 sidecar");

        Path output = tmp.resolve("out-testdata");
        Scripts.Result run =
                scripts.run(
                        Duration.ofSeconds(180),
                        "flink.sh",
                        "--dir",
                        clusterDir.toString(),
                        "run",
                        jobJar.toString(),
                        "--input",
                        ROOT.resolve("testdata/payments.jsonl").toString(),
                        "--output",
                        output.toString(),
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "500ms",
                        "--out-of-orderness",
                        "3s");
        assertThat(run.exitCode()).as("flink run: %s", run.output()).isZero();
        assertThat(run.output()).contains("has finished");

        List<String> results =
                JobOutput.withoutBuildHash(JobOutput.committedLines(output.resolve("results")));
        for (String rule : EXAMPLE_RULES) {
            assertSameLines(
                    rule + " on the cluster",
                    JobOutput.ofRule(results, rule),
                    Files.readAllLines(ROOT.resolve("testdata/expected/" + rule + ".jsonl")));
        }
        assertThat(JobOutput.ofRule(results, "seq"))
                .as("seq results: payments have no attribute n")
                .isEmpty();
        assertThat(ids(JobOutput.committedLines(output.resolve("dead-letters"))))
                .containsExactlyInAnyOrderElementsOf(
                        ids(
                                Files.readAllLines(
                                        ROOT.resolve("testdata/expected/dead-letters.jsonl"))));

        // each subtask ran on its own TaskManager and used that TaskManager's sidecar (its socket
        // path from the TaskManager's config.yaml)
        Map<String, Long> eventsPerSidecar = eventsOfRule("threshold");
        assertThat(eventsPerSidecar).as("threshold events per sidecar").hasSize(TASKMANAGERS);
        assertThat(eventsPerSidecar.values())
                .as("events per sidecar %s", eventsPerSidecar)
                .allMatch(n -> n > 0);
        assertThat(eventsPerSidecar.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(12_000);
    }

    @Test
    @Order(2)
    void hotSwapsARuleOnBothSidecarsWhileAJobRuns() throws Exception {
        Path input = writeSwapInput(tmp.resolve("swap-input/events.jsonl"));
        Path output = tmp.resolve("out-swap");
        Map<String, Long> before = eventsOfRule("seq");
        // one event per batch and one batch in flight: a round trip per event, so the job runs for
        // seconds, long enough to deploy during it on a fast machine too
        Scripts.Result submitted =
                scripts.run(
                        Duration.ofSeconds(120),
                        "flink.sh",
                        "--dir",
                        clusterDir.toString(),
                        "run",
                        "-d",
                        jobJar.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString(),
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "500ms",
                        "--set",
                        "sidecar.operator.batch.max-events=1",
                        "--set",
                        "sidecar.operator.max-in-flight-batches=1");
        assertThat(submitted.exitCode()).as("flink run -d: %s", submitted.output()).isZero();
        Matcher id = JOB_ID.matcher(submitted.output());
        assertThat(id.find()).as("job id in: %s", submitted.output()).isTrue();
        String jobId = id.group(1);

        // the old version has answered events on both sidecars: the job is under way
        Deadline.within(Duration.ofSeconds(90))
                .await(
                        "seq events on both sidecars",
                        () -> {
                            Map<String, Long> now = eventsOfRule("seq");
                            return now.size() == TASKMANAGERS
                                    && now.keySet().stream()
                                            .allMatch(
                                                    tm ->
                                                            now.get(tm)
                                                                    > before.getOrDefault(tm, 0L));
                        });
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
                .contains("tm-2: sidecar admin deploy")
                .containsPattern(
                        "deployed seq 2\\.0\\.0\\+[0-9a-f]{7}(.|\\n)*deployed seq 2\\.0\\.0\\+[0-9a-f]{7}");
        assertThat(scripts.jobState(jobId))
                .as(
                        "the job still runs after the swap (else the input is too short for this machine)")
                .isEqualTo("RUNNING");

        Deadline.within(Duration.ofSeconds(240))
                .await(
                        "job " + jobId + " finished",
                        () -> {
                            String state = scripts.jobState(jobId);
                            assertThat(state).as("job state").isNotIn("FAILED", "CANCELED");
                            return "FINISHED".equals(state);
                        });
        assertEveryEventOnceAndVersionsNeverGoBack(
                JobOutput.ofRule(JobOutput.committedLines(output.resolve("results")), "seq"));
    }

    private static void assertEveryEventOnceAndVersionsNeverGoBack(List<String> results) {
        BitSet seen = new BitSet(SWAP_EVENTS);
        Map<String, Integer> versions = new HashMap<>();
        for (Map.Entry<String, List<String>> key : JobOutput.perKey(results).entrySet()) {
            int previous = 1;
            for (String line : key.getValue()) {
                int n = Math.toIntExact(Long.parseLong(JobOutput.field(line, "time")) - BASE);
                assertThat(seen.get(n)).as("event %d answered twice", n).isFalse();
                seen.set(n);
                assertThat(key.getKey()).isEqualTo("k" + n % KEYS);
                String version = JobOutput.field(line, "version");
                assertThat(version)
                        .as("version of event %d", n)
                        .matches("[12]\\.0\\.0\\+[0-9a-f]{7}");
                int major = version.charAt(0) - '0';
                assertThat(major)
                        .as("key %s went back to version 1 at event %d", key.getKey(), n)
                        .isGreaterThanOrEqualTo(previous);
                previous = major;
                versions.merge(version, 1, Integer::sum);
            }
        }
        assertThat(seen.cardinality()).as("events answered").isEqualTo(SWAP_EVENTS);
        assertThat(versions).as("results per version").hasSize(2);
        System.out.printf(
                "StandaloneClusterE2E: %d events answered once each; results per version %s%n",
                seen.cardinality(), versions);
    }

    /** The EVENTS column of {@code rule} in {@code admin list} of every sidecar, by TaskManager. */
    private static Map<String, Long> eventsOfRule(String rule) throws Exception {
        Scripts.Result list =
                scripts.run(
                        Duration.ofSeconds(60),
                        "swap-rule.sh",
                        "--dir",
                        clusterDir.toString(),
                        "--admin",
                        "list");
        assertThat(list.exitCode()).as("swap-rule.sh --admin list: %s", list.output()).isZero();
        Map<String, Long> events = new HashMap<>();
        String tm = null;
        for (String line : list.output().split("\n")) {
            Matcher header = Pattern.compile("^(tm-\\d+): sidecar admin list").matcher(line);
            if (header.find()) {
                tm = header.group(1);
            } else if (tm != null && line.trim().startsWith(rule + " ")) {
                String[] columns = line.trim().split("\\s+");
                events.put(tm, Long.parseLong(columns[columns.length - 1]));
            }
        }
        return events;
    }

    private static Path writeSwapInput(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int n = 0; n < SWAP_EVENTS; n++) {
                out.write(
                        "{\"key\":\"k"
                                + n % KEYS
                                + "\",\"time\":"
                                + (BASE + n)
                                + ",\"type\":\"tick\",\"n\":"
                                + n
                                + "}\n");
            }
        }
        return file;
    }

    private static String seqConfig(String version) {
        return "{\"id\": \"seq\", \"field\": \"n\", \"limit\": -1, \"version\": \""
                + version
                + "\"}";
    }

    private static List<String> ids(List<String> deadLetters) {
        List<String> ids = new ArrayList<>();
        for (String line : deadLetters) {
            ids.add(
                    JobOutput.field(line, "file")
                            + ":"
                            + JobOutput.field(line, "line")
                            + ":"
                            + JobOutput.field(line, "raw"));
        }
        return ids;
    }

    /**
     * Live processes whose command line names the folder (the cluster's JVMs and sidecars all do).
     */
    private static List<Long> processesOf(Path dir) {
        String marker = dir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(ProcessHandle::pid)
                .toList();
    }

    private static Path projectRoot() {
        String root = System.getProperty("project.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return Files.isDirectory(path.resolve("testdata"))
                ? path.toAbsolutePath()
                : Path.of("..").toAbsolutePath();
    }
}
