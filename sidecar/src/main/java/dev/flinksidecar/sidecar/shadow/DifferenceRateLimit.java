package dev.flinksidecar.sidecar.shadow;

import java.util.function.LongSupplier;

/**
 * How many difference lines of one shadowed rule may go to the operator: at most {@code perSecond}
 * in each second of the clock (a fixed one-second window, all sessions together), so that a
 * candidate that differs on every event cannot flood the shadow output. The counts in metrics and
 * {@code shadow-status} are never limited.
 *
 * <p>Threads: thread-safe (the shadow threads of every session share one per rule).
 */
final class DifferenceRateLimit {

    private final int perSecond;
    private final LongSupplier millis;
    private long second = Long.MIN_VALUE;
    private int used;

    /**
     * @param perSecond lines per rule per second; 0 sends none
     * @param millis the clock, epoch or monotonic milliseconds
     */
    DifferenceRateLimit(int perSecond, LongSupplier millis) {
        this.perSecond = Math.max(0, perSecond);
        this.millis = millis;
    }

    /** How many of {@code wanted} lines may go now (0 to {@code wanted}); takes them. */
    synchronized int admit(int wanted) {
        long now = Math.floorDiv(millis.getAsLong(), 1000);
        if (now != second) {
            second = now;
            used = 0;
        }
        int granted = Math.min(wanted, perSecond - used);
        used += granted;
        return granted;
    }
}
