package dev.flinksidecar.sidecar.window;

/**
 * The window arithmetic of Flink's {@code TimeWindow} and {@code WindowOperator}, on plain longs so
 * that a window costs no object of its own. Windows are {@code [start, end)}.
 */
final class TimeWindows {

    private TimeWindows() {}

    /**
     * The start of the window of {@code size} (shifted by {@code offset}) that holds {@code
     * timestamp}: Flink's {@code TimeWindow.getWindowStartWithOffset}, negative times included.
     */
    static long windowStart(long timestamp, long offset, long size) {
        long remainder = (timestamp - offset) % size;
        return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
    }

    /** The last millisecond in the window: when the watermark reaches it, the window fires. */
    static long maxTimestamp(long end) {
        return end - 1;
    }

    /**
     * When the window's state goes: its max timestamp + the allowed lateness, or {@code
     * Long.MAX_VALUE} when that overflows (Flink's {@code WindowOperator.cleanupTime}).
     */
    static long cleanupTime(long end, long allowedLateness) {
        long max = maxTimestamp(end);
        long cleanup = max + allowedLateness;
        return cleanup >= max ? cleanup : Long.MAX_VALUE;
    }

    /** Flink's {@code TimeWindow.intersects}: overlapping or touching windows. */
    static boolean intersects(long start, long end, long otherStart, long otherEnd) {
        return start <= otherEnd && end >= otherStart;
    }
}
