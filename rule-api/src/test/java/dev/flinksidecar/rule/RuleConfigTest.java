package dev.flinksidecar.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleConfigTest {

    private final RuleConfig config =
            RuleConfig.of(
                    Map.of(
                            "field",
                            "amount",
                            "limit",
                            1000L,
                            "ratio",
                            0.5,
                            "window",
                            Map.of("size", "10s", "bad", "ten")));

    @Test
    void readsTypedFields() {
        assertThat(config.requireString("field")).isEqualTo("amount");
        assertThat(config.requireDouble("limit")).isEqualTo(1000.0);
        assertThat(config.requireLong("limit")).isEqualTo(1000L);
        assertThat(config.getDouble("ratio", 0)).isEqualTo(0.5);
        assertThat(config.getString("absent", "dflt")).isEqualTo("dflt");
        assertThat(config.getObject("window").requireDuration("size"))
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void namesTheFieldThatIsWrong() {
        assertThatThrownBy(() -> config.requireDouble("missing"))
                .isInstanceOf(RuleConfigException.class)
                .hasMessage("config field 'missing' is missing; expected a number");
        assertThatThrownBy(() -> config.requireDouble("field"))
                .hasMessage("config field 'field' is the string \"amount\"; expected a number");
        assertThatThrownBy(() -> config.requireLong("ratio"))
                .hasMessageContaining("expected a whole number");
        assertThatThrownBy(() -> config.getObject("window").requireDuration("bad"))
                .hasMessageContaining("config field 'window.bad'")
                .hasMessageContaining("500ms, 10s, 2m, 1h");
    }

    @Test
    void durationsRoundTrip() {
        for (String text : new String[] {"500ms", "10s", "2m", "1h", "3d", "1500ms"}) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
        assertThatThrownBy(() -> Durations.parse("10 seconds"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
