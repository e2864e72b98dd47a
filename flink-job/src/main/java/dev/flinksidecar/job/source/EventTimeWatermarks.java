package dev.flinksidecar.job.source;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks of the event-file source: bounded out-of-orderness, the watermark being the
 * largest event time seen minus the out-of-orderness minus 1 ms (as Flink's own {@code
 * forBoundedOutOfOrderness}). Dead letters carry no event time and never move it.
 *
 * <ul>
 *   <li>periodic (default): emitted every {@code pipeline.auto-watermark-interval};
 *   <li>deterministic: emitted after each event, in file order, exactly as the sidecar's {@code
 *       replay} command does. Only deterministic when one reader reads all files in order: the job
 *       runs the source at parallelism 1 in this mode.
 * </ul>
 *
 * At the end of the input Flink emits the final watermark ({@code Long.MAX_VALUE}), which fires
 * every open window. Idle splits: see {@link #strategy(Duration, boolean, Duration)}. Runs on the
 * source's task thread.
 */
public final class EventTimeWatermarks implements WatermarkGenerator<InputRecord> {

    private final long outOfOrdernessMs;
    private final boolean deterministic;
    private long maxTime;

    EventTimeWatermarks(Duration outOfOrderness, boolean deterministic) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.deterministic = deterministic;
        this.maxTime = Long.MIN_VALUE + outOfOrdernessMs + 1;
    }

    /** The strategy: event time from the events, watermarks as above, no idleness. */
    public static WatermarkStrategy<InputRecord> strategy(
            Duration outOfOrderness, boolean deterministic) {
        return strategy(outOfOrderness, deterministic, Duration.ZERO);
    }

    /**
     * The strategy: event time from the events, watermarks as above; with periodic watermarks and a
     * positive {@code idleTimeout}, a split (or a reader without splits) that emits no event for
     * that long is marked idle ({@link WatermarkStrategy#withIdleness}), so the other splits'
     * watermarks advance without it, until it has events again. Never with deterministic
     * watermarks: there one reader emits every watermark in file order.
     */
    public static WatermarkStrategy<InputRecord> strategy(
            Duration outOfOrderness, boolean deterministic, Duration idleTimeout) {
        WatermarkStrategy<InputRecord> strategy =
                WatermarkStrategy.forGenerator(
                        ctx -> new EventTimeWatermarks(outOfOrderness, deterministic));
        if (!deterministic && idleTimeout.compareTo(Duration.ZERO) > 0) {
            strategy = strategy.withIdleness(idleTimeout);
        }
        return strategy.withTimestampAssigner(
                (record, previous) -> record.event() != null ? record.event().time() : previous);
    }

    @Override
    public void onEvent(InputRecord record, long eventTimestamp, WatermarkOutput output) {
        if (record.event() == null) {
            return;
        }
        maxTime = Math.max(maxTime, record.event().time());
        if (deterministic) {
            output.emitWatermark(current());
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (!deterministic) {
            output.emitWatermark(current());
        }
    }

    private Watermark current() {
        return new Watermark(maxTime - outOfOrdernessMs - 1);
    }
}
