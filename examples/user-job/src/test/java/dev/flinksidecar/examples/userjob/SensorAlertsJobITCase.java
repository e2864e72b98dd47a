package dev.flinksidecar.examples.userjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own job on a Flink MiniCluster against a real sidecar process running the threshold
 * example as {@code overheat}, with the job's own protobuf 3 on the class path beside the
 * operator's relocated protobuf 4: every reading above 90 degrees comes back as an alert, once, in
 * the order of its sensor's readings.
 */
@Timeout(300)
class SensorAlertsJobITCase {

    private static final Path ROOT = root();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path tmp;

    @Test
    void theJobsOwnProtobufIsVersion3AndTheOperatorsIsOutOfItsWay() throws Exception {
        assertThat(Timestamp.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .as("the job's protobuf")
                .contains("protobuf-java-3.");
        assertThatThrownBy(() -> Class.forName("com.google.protobuf.RuntimeVersion"))
                .as("protobuf 4's RuntimeVersion, which 3.x does not have")
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(Class.forName("dev.flinksidecar.shaded.com.google.protobuf.RuntimeVersion"))
                .as("the operator's own, relocated")
                .isNotNull();
    }

    @Test
    void everyReadingAboveTheLimitBecomesOneAlertInItsSensorsOrder() throws Exception {
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        Files.copy(
                ROOT.resolve("examples/target/rules/threshold.jar"), rules.resolve("overheat.jar"));
        Files.writeString(
                rules.resolve("overheat.json"),
                "{\"id\": \"overheat\", \"field\": \"celsius\", \"limit\": 90}");
        Path socket = tmp.resolve("sidecar.sock");
        List<SensorReading> readings = SensorReadings.sample(400);

        List<SensorAlert> alerts = new ArrayList<>();
        try (SidecarChild sidecar =
                SidecarChild.start(
                        ROOT.resolve("sidecar/target/sidecar.jar"),
                        socket,
                        rules,
                        tmp,
                        Duration.ofSeconds(60))) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            SidecarOperatorOptions options =
                    SidecarOperatorOptions.defaults()
                            .with(SidecarOperatorOptions.SOCKET_PATH, socket.toString());
            try (CloseableIterator<SensorAlert> out =
                    SensorAlertsJob.alerts(
                                    env.fromData(readings, TypeInformation.of(SensorReading.class)),
                                    options)
                            .executeAndCollect()) {
                out.forEachRemaining(alerts::add);
            }
        }

        List<SensorReading> hot =
                readings.stream().filter(r -> r.celsius > 90).collect(Collectors.toList());
        assertThat(hot)
                .as("the sample has hot readings, and cooler ones")
                .isNotEmpty()
                .hasSizeLessThan(readings.size());
        assertThat(alerts)
                .hasSameSizeAs(hot)
                .allSatisfy(
                        alert -> {
                            assertThat(alert.rule).isEqualTo("overheat");
                            assertThat(alert.ruleVersion).startsWith("1.0.0+");
                        });
        assertThat(bySensor(alerts))
                .isEqualTo(bySensor(expectedAlerts(hot, alerts.get(0).ruleVersion)));
    }

    private static List<SensorAlert> expectedAlerts(List<SensorReading> hot, String version)
            throws Exception {
        List<SensorAlert> expected = new ArrayList<>();
        for (SensorReading reading : hot) {
            expected.add(
                    new SensorAlert(
                            reading.sensorId,
                            reading.epochMillis(),
                            reading.celsius,
                            "overheat",
                            version));
        }
        return expected;
    }

    /** Each sensor's alerts in the order they came. */
    private static Map<String, List<SensorAlert>> bySensor(List<SensorAlert> alerts) {
        Map<String, List<SensorAlert>> bySensor = new TreeMap<>();
        for (SensorAlert alert : alerts) {
            bySensor.computeIfAbsent(alert.sensorId, k -> new ArrayList<>()).add(alert);
        }
        return bySensor;
    }

    private static Path root() {
        String configured = System.getProperty("project.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "testdata"))) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of("../..").toAbsolutePath().normalize();
    }
}
