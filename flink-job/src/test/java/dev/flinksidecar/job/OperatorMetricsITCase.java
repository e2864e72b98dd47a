package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import dev.flinksidecar.operator.SidecarStreams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's metrics in a real job: on a MiniCluster with an in-memory metrics reporter (as any
 * Flink reporter sees them), the windowed scenario of {@code testdata/windowed/} at parallelism 2
 * through a real sidecar. Every subtask's operator group holds exactly the metrics of the table in
 * operator/OPTIONS.md, and the counters add up to what the job wrote.
 */
@Timeout(180)
class OperatorMetricsITCase {

    private static final int PARALLELISM = 2;

    /** Keeps the metrics of a finished job, so they can be read after it. */
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .build());

    @TempDir Path tmp;

    @Test
    void theOperatorsMetricsAreRegisteredUnderItsGroupAndCountWhatTheJobWrote() throws Exception {
        Path rules = tmp.resolve("rules");
        TestSidecars.deployWindowedScenario(rules);
        Path output = tmp.resolve("out");
        Path socket = tmp.resolve("sidecar.sock");
        JobID job;
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(tmp),
                        socket,
                        rules,
                        tmp.resolve("sidecar.log"),
                        Duration.ofSeconds(60))) {
            JobArgs args =
                    JobArgs.parse(
                            new String[] {
                                "--input",
                                TestSidecars.ROOT
                                        .resolve("testdata/windowed/events.jsonl")
                                        .toString(),
                                "--output",
                                output.toString(),
                                "--socket",
                                socket.toString(),
                                "--parallelism",
                                String.valueOf(PARALLELISM),
                                "--checkpoint-interval",
                                "500ms",
                                "--out-of-orderness",
                                "1s",
                                "--deterministic-watermarks",
                                "--set",
                                "sidecar.operator.latency.sample-interval=10"
                            },
                            false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, args, args.operatorOptions(), SidecarRunnerFactory.socket());
            job = env.execute("OperatorMetricsITCase").getJobID();
        }
        int results = JobOutput.committedLines(output.resolve(JsonLinesSinks.RESULTS)).size();
        int late = JobOutput.committedLines(output.resolve(JsonLinesSinks.LATE)).size();
        assertThat(late).as("the scenario has late events").isPositive();

        List<Map<String, Metric>> subtasks = operatorMetrics(job);
        assertThat(subtasks).as("one sidecar operator group per subtask").hasSize(PARALLELISM);
        Map<String, String> documented = documentedMetrics();
        long resultsCounted = 0;
        long lateCounted = 0;
        for (Map<String, Metric> metrics : subtasks) {
            assertThat(kinds(metrics))
                    .as("sidecar metrics of a subtask against operator/OPTIONS.md")
                    .containsExactlyInAnyOrderEntriesOf(documented);
            resultsCounted += counter(metrics, "sidecarResults");
            lateCounted += counter(metrics, "sidecarLateEvents");
            assertThat(counter(metrics, "sidecarDeadLetters")).isZero();
            assertThat(counter(metrics, "sidecarReconnects")).isZero();
            assertThat(counter(metrics, "sidecarReplayedBatches")).isZero();
            Histogram batchSize = (Histogram) metrics.get("sidecarBatchSize");
            Histogram roundTrip = (Histogram) metrics.get("sidecarRoundTripNanos");
            assertThat(batchSize.getCount()).as("batches sent").isPositive();
            assertThat(roundTrip.getCount())
                    .as("a round trip per batch")
                    .isEqualTo(batchSize.getCount());
            assertThat(batchSize.getStatistics().getMax())
                    .isGreaterThanOrEqualTo(1)
                    .isLessThanOrEqualTo(SidecarOperatorOptions.BATCH_MAX_EVENTS.defaultValue());
            assertThat(roundTrip.getStatistics().getMin()).isPositive();
            assertThat(((Histogram) metrics.get("sidecarLatencyNanos")).getCount())
                    .as("sampled events")
                    .isPositive();
            assertThat(
                            ((Number) ((Gauge<?>) metrics.get("sidecarInFlightBatches")).getValue())
                                    .longValue())
                    .as("batches in flight after the end")
                    .isZero();
        }
        assertThat(resultsCounted).as("sidecarResults over the subtasks").isEqualTo(results);
        assertThat(lateCounted).as("sidecarLateEvents over the subtasks").isEqualTo(late);
    }

    /**
     * For each subtask of the job's sidecar operator: its metrics whose names start with "sidecar".
     */
    private static List<Map<String, Metric>> operatorMetrics(JobID job) {
        List<Map<String, Metric>> subtasks = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                REPORTER.getMetricsByGroup().entrySet()) {
            Map<String, String> variables = group.getKey().getAllVariables();
            if (job.toString().equals(variables.get("<job_id>"))
                    && SidecarStreams.OPERATOR_NAME.equals(variables.get("<operator_name>"))) {
                Map<String, Metric> ours = new TreeMap<>();
                group.getValue()
                        .forEach(
                                (name, metric) -> {
                                    if (name.startsWith("sidecar")) {
                                        ours.put(name, metric);
                                    }
                                });
                subtasks.add(ours);
            }
        }
        return subtasks;
    }

    private static Map<String, String> kinds(Map<String, Metric> metrics) {
        Map<String, String> kinds = new TreeMap<>();
        metrics.forEach(
                (name, metric) ->
                        kinds.put(
                                name,
                                metric instanceof Counter
                                        ? "counter"
                                        : metric instanceof Gauge
                                                ? "gauge"
                                                : metric instanceof Histogram
                                                        ? "histogram"
                                                        : metric.toString()));
        return kinds;
    }

    private static long counter(Map<String, Metric> metrics, String name) {
        return ((Counter) metrics.get(name)).getCount();
    }

    /** Name to kind of every row of the table under "## Metrics" in operator/OPTIONS.md. */
    private static Map<String, String> documentedMetrics() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line :
                Files.readAllLines(
                        TestSidecars.ROOT.resolve("operator/OPTIONS.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Metrics");
            } else if (inSection && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                rows.put(cells[1].trim().replace("`", ""), cells[2].trim());
            }
        }
        return rows;
    }
}
