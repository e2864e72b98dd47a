package dev.flinksidecar.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * The metrics table of operator/OPTIONS.md is exactly what {@link OperatorMetrics} registers, kind
 * included.
 */
class OperatorMetricsTest {

    @Test
    void theDocumentedTableListsEveryRegisteredMetricAndNothingElse() throws IOException {
        RecordingGroup group = new RecordingGroup();
        OperatorMetrics.register(
                group,
                SidecarOperatorOptions.LATENCY_SAMPLE_INTERVAL.defaultValue(),
                () -> 0,
                () -> 0,
                () -> 0);
        assertThat(group.kinds).isNotEmpty();
        assertThat(documentedMetrics())
                .as("metrics table in operator/OPTIONS.md (name to kind)")
                .containsExactlyInAnyOrderEntriesOf(group.kinds);
    }

    @Test
    void theLatencyHistogramIsOnlyRegisteredWhenSampling() {
        RecordingGroup group = new RecordingGroup();
        OperatorMetrics.register(group, 0, () -> 0, () -> 0, () -> 0);
        assertThat(group.kinds)
                .doesNotContainKey("sidecarLatencyNanos")
                .containsKey("sidecarRoundTripNanos");
    }

    /** Name to kind of every row of the table under "## Metrics" in OPTIONS.md. */
    static Map<String, String> documentedMetrics() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(optionsFile(), StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Metrics");
            } else if (inSection && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                rows.put(cells[1].trim().replace("`", ""), cells[2].trim());
            }
        }
        return rows;
    }

    private static Path optionsFile() {
        Path inModule = Path.of("OPTIONS.md");
        return Files.exists(inModule)
                ? inModule
                : Path.of(System.getProperty("project.root", "."), "operator", "OPTIONS.md");
    }

    /** A metric group that notes the name and kind of everything registered in it. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        final Map<String, String> kinds = new LinkedHashMap<>();

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            kinds.put(name, "counter");
            return counter;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            kinds.put(name, "gauge");
            return gauge;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            kinds.put(name, "histogram");
            return histogram;
        }

        @Override
        public <M extends Meter> M meter(String name, M meter) {
            kinds.put(name, "meter");
            return meter;
        }
    }
}
