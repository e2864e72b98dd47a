package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.rule.WindowAssigner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The window engine against cases computed by hand from Flink's WindowOperator and EventTimeTrigger
 * (the differential test checks the same against Flink itself, at random). Each firing reads {@code
 * key [start,end) sum xcount}.
 */
class EventTimeWindowsTest {

    private final RecordingFirings out = new RecordingFirings();

    @Test
    void tumblingWindowsFireWhenTheWatermarkReachesTheirEndMinusOne() {
        EventTimeWindows windows = windows(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);

        assertThat(add(windows, "a", 1000, 1)).isFalse();
        add(windows, "a", 5000, 2);
        add(windows, "a", 12000, 4);
        windows.onWatermark(9998, out);
        assertThat(out.take()).isEmpty();
        windows.onWatermark(9999, out);
        assertThat(out.take()).containsExactly("a [0,10000) 3.0 x2");

        assertThat(add(windows, "a", 3000, 8)).as("its window is gone: late").isTrue();
        assertThat(add(windows, "a", 10000, 16)).isFalse();
        assertThat(out.take()).isEmpty();

        windows.onWatermark(Long.MAX_VALUE, out);
        assertThat(out.take()).containsExactly("a [10000,20000) 20.0 x2");
        assertThat(windows.openWindows()).isZero();
        assertThat(windows.keys()).isZero();
        assertThat(add(windows, "a", 50000, 1))
                .as("after the end of time everything is late")
                .isTrue();
    }

    @Test
    void withAllowedLatenessALateEventFiresItsWindowAgainUntilCleanup() {
        EventTimeWindows windows = windows(WindowAssigner.tumbling(Duration.ofSeconds(10)), 5000);

        add(windows, "a", 1000, 1);
        windows.onWatermark(9999, out);
        assertThat(out.take()).containsExactly("a [0,10000) 1.0 x1");

        assertThat(add(windows, "a", 3000, 2)).isFalse();
        assertThat(out.take()).as("late firing, at once").containsExactly("a [0,10000) 3.0 x2");
        windows.onWatermark(14998, out);
        assertThat(add(windows, "a", 4000, 4)).isFalse();
        assertThat(out.take()).containsExactly("a [0,10000) 7.0 x3");

        windows.onWatermark(14999, out);
        assertThat(out.take()).as("cleanup fires nothing").isEmpty();
        assertThat(windows.openWindows()).isZero();
        assertThat(add(windows, "a", 4000, 8)).as("past end - 1 + lateness: late").isTrue();
        assertThat(out.take()).isEmpty();
    }

    @Test
    void slidingWindowsAreVisitedLatestStartFirstAsFlinkDoes() {
        EventTimeWindows windows =
                windows(
                        WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)),
                        10_000);

        add(windows, "a", 7000, 1);
        assertThat(windows.openWindows()).isEqualTo(2);
        windows.onWatermark(15000, out);
        assertThat(out.take()).containsExactly("a [0,10000) 1.0 x1", "a [5000,15000) 1.0 x1");

        add(windows, "a", 7500, 2);
        assertThat(out.take()).containsExactly("a [5000,15000) 3.0 x2", "a [0,10000) 3.0 x2");
    }

    @Test
    void anEventSkippedByOnlySomeOfItsSlidingWindowsIsNotLate() {
        EventTimeWindows windows =
                windows(WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)), 0);

        add(windows, "a", 7000, 1);
        windows.onWatermark(9999, out);
        assertThat(out.take()).containsExactly("a [0,10000) 1.0 x1");
        assertThat(add(windows, "a", 8000, 2)).as("[5000,15000) still takes it").isFalse();
        windows.onWatermark(Long.MAX_VALUE, out);
        assertThat(out.take()).containsExactly("a [5000,15000) 3.0 x2");
    }

    @Test
    void anEventInTheGapBetweenSlidingWindowsIsLateOnlyBehindTheWatermark() {
        EventTimeWindows windows =
                windows(WindowAssigner.sliding(Duration.ofSeconds(1), Duration.ofSeconds(5)), 0);

        assertThat(add(windows, "a", 2500, 1))
                .as("in no window, ahead of the watermark: dropped, not late")
                .isFalse();
        assertThat(windows.openWindows()).isZero();
        assertThat(add(windows, "a", 400, 1)).isFalse();
        assertThat(windows.openWindows()).isEqualTo(1);
        windows.onWatermark(3000, out);
        assertThat(out.take()).containsExactly("a [0,1000) 1.0 x1");
        assertThat(add(windows, "a", 2500, 1))
                .as("in no window, behind the watermark: late")
                .isTrue();
    }

    @Test
    void tumblingWindowsWithAnOffsetAndNegativeTimes() {
        EventTimeWindows windows =
                windows(WindowAssigner.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(3)), 0);

        add(windows, "a", -1, 1);
        add(windows, "a", 2999, 2);
        add(windows, "a", 3000, 4);
        windows.onWatermark(Long.MAX_VALUE, out);
        assertThat(out.take()).containsExactly("a [-7000,3000) 3.0 x2", "a [3000,13000) 4.0 x1");
    }

    @Test
    void gapWindowsMergeWhenANewWindowOverlapsOrTouchesThem() {
        EventTimeWindows windows = windows(WindowAssigner.session(Duration.ofSeconds(3)), 0);

        add(windows, "a", 1000, 1);
        add(windows, "a", 2000, 2);
        add(windows, "b", 1500, 100);
        add(windows, "a", 8000, 4);
        assertThat(windows.openWindows()).isEqualTo(3);
        add(windows, "a", 5000, 8); // [5000,8000) touches [1000,5000) and [8000,11000)
        assertThat(windows.openWindows()).isEqualTo(2);

        windows.onWatermark(10998, out);
        assertThat(out.take()).containsExactly("b [1500,4500) 100.0 x1");
        windows.onWatermark(10999, out);
        assertThat(out.take()).containsExactly("a [1000,11000) 15.0 x4");
        assertThat(windows.openWindows()).isZero();
    }

    @Test
    void aGapWindowThatGrowsWithinTheLatenessFiresAtOnceWhenItsEndIsBehindTheWatermark() {
        EventTimeWindows windows = windows(WindowAssigner.session(Duration.ofSeconds(3)), 10_000);

        add(windows, "a", 1000, 1);
        windows.onWatermark(9000, out);
        assertThat(out.take()).containsExactly("a [1000,4000) 1.0 x1");

        add(windows, "a", 2000, 2);
        assertThat(out.take())
                .as("merged into [1000,5000), already behind the watermark")
                .containsExactly("a [1000,5000) 3.0 x2");
        windows.onWatermark(14998, out);
        assertThat(out.take()).isEmpty();
        assertThat(windows.openWindows()).isEqualTo(1);
        windows.onWatermark(14999, out);
        assertThat(windows.openWindows()).as("cleaned up at 4999 + 10000").isZero();

        assertThat(add(windows, "a", 4500, 4)).isFalse();
        assertThat(out.take())
                .as("a new gap window, behind the watermark but within the lateness")
                .containsExactly("a [4500,7500) 4.0 x1");
        assertThat(add(windows, "a", 100, 8)).as("[100,3100) alone is past its lateness").isTrue();
        assertThat(add(windows, "a", 1500, 16))
                .as("[1500,4500) alone would be too, but it touches [4500,7500)")
                .isFalse();
        assertThat(out.take()).containsExactly("a [1500,7500) 20.0 x2");
        assertThat(out.take()).isEmpty();
    }

    @Test
    void theFinalWatermarkFiresEveryOpenWindowInTimerOrder() {
        EventTimeWindows windows = windows(WindowAssigner.tumbling(Duration.ofSeconds(10)), 60_000);

        add(windows, "b", 25000, 1);
        add(windows, "a", 5000, 2);
        add(windows, "b", 5000, 4);
        add(windows, "a", 15000, 8);
        windows.onWatermark(Long.MAX_VALUE, out);

        assertThat(out.take())
                .containsExactly(
                        "a [0,10000) 2.0 x1",
                        "b [0,10000) 4.0 x1",
                        "a [10000,20000) 8.0 x1",
                        "b [20000,30000) 1.0 x1");
        assertThat(windows.openWindows()).isZero();
        assertThat(windows.watermark()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void watermarksThatDoNotAdvanceChangeNothing() {
        EventTimeWindows windows = windows(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);

        windows.onWatermark(20000, out);
        windows.onWatermark(5000, out);
        assertThat(windows.watermark()).isEqualTo(20000);
        assertThat(add(windows, "a", 15000, 1)).isTrue();
    }

    @Test
    void eventsTheFilterRejectsAreNeitherCountedNorLate() {
        EventTimeWindows windows = windows(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        windows.onWatermark(20000, out);

        assertThat(
                        windows.onElement(
                                EventRecord.builder("a", 1000)
                                        .type("refund")
                                        .set("amount", 5.0)
                                        .build(),
                                out))
                .isFalse();
        assertThat(windows.openWindows()).isZero();
    }

    @Test
    void keepResultSuppressesFiringsAndAFailedFiringDoesNotStopTheOthers() {
        TestingWindowedRule rule =
                new TestingWindowedRule(
                        WindowAssigner.tumbling(Duration.ofSeconds(10)), Duration.ZERO);
        rule.above = 2;
        rule.failOn = 4;
        EventTimeWindows windows = EventTimeWindows.of(rule);

        windows.onElement(payment("a", 1000, 1), out);
        windows.onElement(payment("b", 1000, 4), out);
        windows.onElement(payment("c", 1000, 5), out);
        windows.onWatermark(Long.MAX_VALUE, out);

        assertThat(out.take()).containsExactly("failed b [0,10000)", "c [0,10000) 5.0 x1");
        assertThat(windows.openWindows()).isZero();
    }

    @Test
    void refusesAnEventWithoutATimestampAsFlinkDoes() {
        EventTimeWindows windows = windows(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);

        assertThatThrownBy(() -> add(windows, "a", Long.MIN_VALUE, 1))
                .hasMessageContaining("Long.MIN_VALUE");
    }

    private static EventTimeWindows windows(WindowAssigner assigner, long latenessMs) {
        return EventTimeWindows.of(
                new TestingWindowedRule(assigner, Duration.ofMillis(latenessMs)));
    }

    private boolean add(EventTimeWindows windows, String key, long time, double amount) {
        return windows.onElement(payment(key, time, amount), out);
    }

    private static EventRecord payment(String key, long time, double amount) {
        return EventRecord.builder(key, time).type("payment").set("amount", amount).build();
    }
}
