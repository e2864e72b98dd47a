package dev.flinksidecar.sidecar.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress's formatting, rates and pacing, on a fake clock. */
class ReplayProgressTest {

    private static final long MIB = 1024 * 1024;

    private final StringWriter err = new StringWriter();
    private long nanos = 1_000_000_000L;

    private ReplayProgress progress(ReplayProgress.Mode mode, Duration interval, long totalBytes) {
        ReplayProgress progress =
                new ReplayProgress(mode, new PrintWriter(err), interval, () -> nanos);
        progress.start(totalBytes);
        return progress;
    }

    private void advance(long millis) {
        nanos += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void theBarShowsShareReadRateAndTimeLeft() {
        ReplayProgress progress =
                progress(ReplayProgress.Mode.BAR, Duration.ofSeconds(5), 100 * MIB);
        assertThat(progress.bar(1_234_567, 40 * MIB, TimeUnit.SECONDS.toNanos(4)))
                .isEqualTo(
                        "[############------------------]  40.0%  1,234,567 events  308,642 events/s  ETA 0:06");
        assertThat(progress.bar(0, 0, 0))
                .isEqualTo("[------------------------------]   0.0%  0 events  0 events/s  ETA ?");
        assertThat(progress.bar(10, 100 * MIB, TimeUnit.SECONDS.toNanos(1)))
                .startsWith("[##############################] 100.0%")
                .endsWith("ETA 0:00");
    }

    @Test
    void longRunsShowHoursAndAnUnknownSizeShowsOnlyCountsAndRates() {
        ReplayProgress sized =
                progress(ReplayProgress.Mode.LINES, Duration.ofSeconds(5), 100 * MIB);
        assertThat(sized.line(5_000, MIB, TimeUnit.SECONDS.toNanos(60)))
                .isEqualTo(
                        "replay: 1.0% of 100.0 MiB read, 5,000 events, 83 events/s, ETA 1:39:00");
        ReplayProgress unsized = progress(ReplayProgress.Mode.LINES, Duration.ofSeconds(5), 0);
        assertThat(unsized.line(5_000, 0, TimeUnit.SECONDS.toNanos(2)))
                .isEqualTo("replay: 5,000 events, 2,500 events/s");
        assertThat(unsized.bar(5_000, 0, TimeUnit.SECONDS.toNanos(2)))
                .isEqualTo("5,000 events  2,500 events/s");
    }

    @Test
    void theBarIsRedrawnInPlaceAtMostTenTimesASecondAndEndsItsLine() {
        ReplayProgress progress =
                progress(ReplayProgress.Mode.BAR, Duration.ofSeconds(5), 100 * MIB);
        advance(50);
        progress.update(100, MIB); // 50 ms after the start: too soon
        assertThat(err.toString()).isEmpty();
        advance(50);
        progress.update(1_000_000, 50 * MIB);
        advance(99);
        progress.update(1_100_000, 55 * MIB); // 99 ms after the last redraw: too soon
        advance(1);
        progress.update(10, 60 * MIB);
        progress.finish(2_000_000, 100 * MIB);

        String out = err.toString();
        assertThat(out).doesNotContain("1,100,000").endsWith("\n");
        String[] redraws = out.substring(0, out.length() - 1).split("\r", -1);
        assertThat(redraws).hasSize(4); // "" before the first \r, then three redraws
        assertThat(redraws[1])
                .startsWith(
                        "[###############---------------]  50.0%  1,000,000 events  10,000,000 events/s");
        // a shorter bar blanks out what is left of the longer one before it
        assertThat(redraws[2])
                .hasSameSizeAs(redraws[1])
                .startsWith("[##################------------]  60.0%  10 events");
        assertThat(redraws[3])
                .startsWith("[##############################] 100.0%  2,000,000 events");
        assertThat(out).doesNotContain("\n\r");
    }

    @Test
    void plainLinesComeOncePerIntervalAndNothingAtTheEnd() {
        ReplayProgress progress =
                progress(ReplayProgress.Mode.LINES, Duration.ofSeconds(5), 10 * MIB);
        for (int second = 1; second <= 12; second++) {
            advance(1_000);
            progress.update(second * 1_000L, second * MIB / 2);
        }
        progress.finish(12_000, 10 * MIB);
        assertThat(err.toString().lines())
                .containsExactly(
                        "replay: 25.0% of 10.0 MiB read, 5,000 events, 1,000 events/s, ETA 0:15",
                        "replay: 50.0% of 10.0 MiB read, 10,000 events, 1,000 events/s, ETA 0:10");
        assertThat(err.toString()).doesNotContain("\r");
    }

    @Test
    void offShowsNothing() {
        ReplayProgress progress = progress(ReplayProgress.Mode.OFF, Duration.ZERO, 10 * MIB);
        advance(10_000);
        progress.update(1, 1);
        progress.finish(1, 10 * MIB);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void theModeIsOffWhenDisabled() {
        assertThat(ReplayProgress.modeFor(true)).isEqualTo(ReplayProgress.Mode.OFF);
    }
}
