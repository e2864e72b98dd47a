package dev.flinksidecar.sidecar.window;

import java.util.Arrays;

/**
 * The windows that older versions of a windowed rule took one event into, while they finish the
 * windows they opened ({@link EventTimeWindows#addToOpen}): the current version then leaves those
 * windows alone ({@link EventTimeWindows#onElement(dev.flinksidecar.rule.Event, Firings,
 * TakenWindows)}), so that each window is computed by exactly one version.
 *
 * <p>Gap windows (Flink's session windows) are not told apart: when an older version's gap window
 * took the event, the whole event is taken ({@link #all()}).
 *
 * <p>Reused from event to event; one thread.
 */
public final class TakenWindows {

    private long[] starts = new long[8];
    private long[] ends = new long[8];
    private int size;
    private boolean all;

    /** Forgets what the previous event took. */
    public void clear() {
        size = 0;
        all = false;
    }

    void add(long start, long end) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
        }
        starts[size] = start;
        ends[size++] = end;
    }

    void takeAll() {
        all = true;
    }

    /** True when an older version took the event into a gap window. */
    public boolean all() {
        return all;
    }

    /** True when an older version took the event into {@code [start, end)}. */
    boolean contains(long start, long end) {
        if (all) {
            return true;
        }
        for (int i = 0; i < size; i++) {
            if (starts[i] == start && ends[i] == end) {
                return true;
            }
        }
        return false;
    }

    /** Adds what {@code other} took. */
    public void addAll(TakenWindows other) {
        for (int i = 0; i < other.size; i++) {
            add(other.starts[i], other.ends[i]);
        }
        all |= other.all;
    }
}
