package dev.flinksidecar.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowAssignerTest {

    @Test
    void readsEachTypeFromItsConfig() {
        assertThat(
                        WindowAssigner.fromConfig(
                                RuleConfig.of(Map.of("type", "tumbling", "size", "10s"))))
                .isEqualTo(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .hasToString("tumbling(10s)");
        WindowAssigner sliding =
                WindowAssigner.fromConfig(
                        RuleConfig.of(Map.of("type", "sliding", "size", "10s", "slide", "5s")));
        assertThat(sliding.type()).isEqualTo(WindowAssigner.Type.SLIDING);
        assertThat(sliding.size()).isEqualTo(10_000);
        assertThat(sliding.slide()).isEqualTo(5_000);
        assertThat(sliding).hasToString("sliding(10s, 5s)");
        WindowAssigner session =
                WindowAssigner.fromConfig(RuleConfig.of(Map.of("type", "session", "gap", "3s")));
        assertThat(session.gap()).isEqualTo(3_000);
        assertThat(session).hasToString("session(3s)");
        assertThat(
                        WindowAssigner.fromConfig(
                                        RuleConfig.of(
                                                Map.of(
                                                        "type",
                                                        "tumbling",
                                                        "size",
                                                        "1h",
                                                        "offset",
                                                        "15m")))
                                .offset())
                .isEqualTo(900_000);
    }

    @Test
    void refusesWhatFlinkRefuses() {
        assertThatThrownBy(() -> WindowAssigner.tumbling(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                WindowAssigner.tumbling(
                                        Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .hasMessageContaining("|offset| < size");
        assertThatThrownBy(() -> WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ZERO))
                .hasMessageContaining("slide > 0");
        assertThatThrownBy(() -> WindowAssigner.session(Duration.ZERO))
                .hasMessageContaining("gap > 0");
    }

    @Test
    void namesTheConfigProblem() {
        assertThatThrownBy(
                        () -> WindowAssigner.fromConfig(RuleConfig.of(Map.of("type", "hopping"))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'hopping' is not one of tumbling, sliding, session");
        assertThatThrownBy(
                        () ->
                                WindowAssigner.fromConfig(
                                        RuleConfig.of(Map.of("type", "sliding", "size", "10s"))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("'slide' is missing");
        assertThatThrownBy(
                        () ->
                                WindowAssigner.fromConfig(
                                        RuleConfig.of(Map.of("type", "session", "gap", "0s"))))
                .isInstanceOf(RuleConfigException.class)
                .hasMessageContaining("gap > 0");
    }

    @Test
    void numberArrayCodecsRoundTrip() throws IOException {
        double[] doubles = {1.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY};
        assertThat(roundTrip(AccumulatorCodec.doubles(), doubles)).isEqualTo(doubles);
        long[] longs = {Long.MIN_VALUE, 0, 42};
        assertThat(roundTrip(AccumulatorCodec.longs(), longs)).isEqualTo(longs);
        assertThatThrownBy(
                        () ->
                                AccumulatorCodec.doubles()
                                        .read(
                                                new DataInputStream(
                                                        new ByteArrayInputStream(
                                                                new byte[] {-1, 0, 0, 0}))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("out of range");
    }

    private static <T> T roundTrip(AccumulatorCodec<T> codec, T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        codec.write(value, new DataOutputStream(bytes));
        return codec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }
}
