package dev.flinksidecar.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** Every option is documented in operator/OPTIONS.md with its real default, and values parse. */
class SidecarOperatorOptionsTest {

    @Test
    void everyOptionIsInTheDocumentationTableWithItsDefault() throws IOException {
        Map<String, String> documented = documentedDefaults();
        assertThat(SidecarOperatorOptions.all()).isNotEmpty();
        for (ConfigOption<?> option : SidecarOperatorOptions.all()) {
            assertThat(documented)
                    .as("OPTIONS.md row for %s", option.key())
                    .containsKey(option.key());
            assertThat(documented.get(option.key()))
                    .as("documented default of %s", option.key())
                    .isEqualTo(display(option.defaultValue()));
            assertThat(option.key()).startsWith(SidecarOperatorOptions.PREFIX);
            assertThat(option.description().toString()).isNotBlank();
        }
        assertThat(documented).hasSameSizeAs(SidecarOperatorOptions.all());
    }

    @Test
    void parsesValuesFromStrings() {
        SidecarOperatorOptions options =
                SidecarOperatorOptions.fromMap(
                        Map.of(
                                "sidecar.operator.batch.max-events", "64",
                                "sidecar.operator.batch.max-delay", "2ms",
                                "sidecar.operator.max-in-flight-bytes", "4mb",
                                "execution.other", "ignored"));
        assertThat(options.get(SidecarOperatorOptions.BATCH_MAX_EVENTS)).isEqualTo(64);
        assertThat(options.get(SidecarOperatorOptions.BATCH_MAX_DELAY))
                .isEqualTo(Duration.ofMillis(2));
        assertThat(options.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BYTES).getBytes())
                .isEqualTo(4L << 20);
        assertThat(options.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BATCHES)).isEqualTo(4);
    }

    @Test
    void refusesUnknownKeysAndBadValues() {
        assertThatThrownBy(
                        () ->
                                SidecarOperatorOptions.fromMap(
                                        Map.of("sidecar.operator.batch.max-evnts", "3")))
                .hasMessageContaining("unknown option 'sidecar.operator.batch.max-evnts'");
        assertThatThrownBy(
                        () ->
                                SidecarOperatorOptions.fromMap(
                                        Map.of("sidecar.operator.batch.max-events", "0")))
                .hasMessageContaining("sidecar.operator.batch.max-events must be positive");
    }

    @Test
    void isSerializable() throws Exception {
        SidecarOperatorOptions options =
                SidecarOperatorOptions.defaults()
                        .with(SidecarOperatorOptions.SOCKET_PATH, "/x.sock");
        assertThat(InstantiationUtil.clone(options).get(SidecarOperatorOptions.SOCKET_PATH))
                .isEqualTo("/x.sock");
    }

    private static String display(Object value) {
        return value instanceof Duration
                ? Durations.format((Duration) value)
                : String.valueOf(value);
    }

    /** Key to default (without backticks) of every row of the first table in OPTIONS.md. */
    private static Map<String, String> documentedDefaults() throws IOException {
        Map<String, String> rows = new HashMap<>();
        for (String line : Files.readAllLines(optionsFile(), StandardCharsets.UTF_8)) {
            String[] cells = line.split("\\|");
            if (cells.length >= 3
                    && cells[1].trim().startsWith("`" + SidecarOperatorOptions.PREFIX)) {
                rows.put(strip(cells[1]), strip(cells[2]));
            }
        }
        return rows;
    }

    private static String strip(String cell) {
        return cell.trim().replaceAll("^`|`$", "");
    }

    private static Path optionsFile() {
        Path inModule = Path.of("OPTIONS.md");
        return Files.exists(inModule)
                ? inModule
                : Path.of(System.getProperty("project.root", "."), "operator", "OPTIONS.md");
    }
}
