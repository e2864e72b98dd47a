package dev.flinksidecar.sidecar.diff;

import java.util.Objects;

/**
 * What a result is about, the part that two rule versions' results are matched on: the rule id, the
 * key, and the time (a per-event result) or the window (a window result). The version is not part
 * of it: two versions of one rule make results with the same id. Immutable.
 */
public final class ResultId {

    private final String rule;
    private final String key;
    private final long time;
    private final boolean window;
    private final long windowStart;
    private final long windowEnd;

    private ResultId(
            String rule, String key, long time, boolean window, long windowStart, long windowEnd) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.key = Objects.requireNonNull(key, "key");
        this.time = time;
        this.window = window;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
    }

    /** A per-event result's id. */
    public static ResultId ofTime(String rule, String key, long time) {
        return new ResultId(rule, key, time, false, 0, 0);
    }

    /** A window result's id; its time is the window's end - 1, as Flink stamps window output. */
    public static ResultId ofWindow(String rule, String key, long windowStart, long windowEnd) {
        return new ResultId(rule, key, windowEnd - 1, true, windowStart, windowEnd);
    }

    public String rule() {
        return rule;
    }

    public String key() {
        return key;
    }

    /** The result's event time, epoch ms (a window's end - 1). */
    public long time() {
        return time;
    }

    public boolean isWindow() {
        return window;
    }

    /** The window's start, epoch ms, inclusive; 0 for a per-event result. */
    public long windowStart() {
        return windowStart;
    }

    /** The window's end, epoch ms, exclusive; 0 for a per-event result. */
    public long windowEnd() {
        return windowEnd;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ResultId)) {
            return false;
        }
        ResultId other = (ResultId) o;
        return time == other.time
                && window == other.window
                && windowStart == other.windowStart
                && windowEnd == other.windowEnd
                && rule.equals(other.rule)
                && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        int h = rule.hashCode();
        h = 31 * h + key.hashCode();
        h = 31 * h + Long.hashCode(time);
        return 31 * h + (window ? Long.hashCode(windowStart) : 0);
    }

    @Override
    public String toString() {
        return rule
                + " "
                + key
                + (window ? " [" + windowStart + "," + windowEnd + ")" : "@" + time);
    }
}
