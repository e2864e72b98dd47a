package dev.flinksidecar.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/**
 * Watermarks: largest event time minus out-of-orderness minus 1 ms, after each event when
 * deterministic.
 */
class EventTimeWatermarksTest {

    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output =
            new WatermarkOutput() {
                @Override
                public void emitWatermark(Watermark watermark) {
                    emitted.add(watermark.getTimestamp());
                }

                @Override
                public void markIdle() {}

                @Override
                public void markActive() {}
            };

    private static InputRecord event(long time) {
        return InputRecord.event(EventRecord.builder("k", time).build());
    }

    @Test
    void deterministicEmitsAfterEveryEventInFileOrder() {
        EventTimeWatermarks generator = new EventTimeWatermarks(Duration.ofSeconds(3), true);
        generator.onEvent(event(10_000), 10_000, output);
        generator.onEvent(event(8_000), 8_000, output); // late-ish: does not move the maximum
        generator.onEvent(InputRecord.deadLetter("{}"), Long.MIN_VALUE, output);
        generator.onEvent(event(12_500), 12_500, output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(6_999L, 6_999L, 9_499L);
    }

    @Test
    void periodicEmitsOnlyOnTheTimer() {
        EventTimeWatermarks generator = new EventTimeWatermarks(Duration.ZERO, false);
        generator.onEvent(event(100), 100, output);
        generator.onEvent(event(50), 50, output);
        assertThat(emitted).isEmpty();
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(99L);
    }
}
