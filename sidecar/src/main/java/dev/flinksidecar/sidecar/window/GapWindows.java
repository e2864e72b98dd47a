package dev.flinksidecar.sidecar.window;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.WindowedRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Gap windows, what Flink calls session windows ({@code WindowAssigner.session(gap)}, config {@code
 * "type": "session"}): Flink's {@code EventTimeSessionWindows} with its {@code MergingWindowSet}.
 * Each event opens {@code [time, time + gap)}; the open windows of a key never overlap or touch,
 * because a new window that does is merged with them into their cover at once. (In the sidecar's
 * code "session" means a client's connection only.)
 *
 * <pre>
 *   open:  [1000,4000)            [6000,9000)
 *   event 3500 -> [3500,6500) touches both  =>  [1000,9000), accumulators merged (earlier first),
 *   the old windows' timers deleted, a timer at 8999 set unless the watermark is past it
 * </pre>
 *
 * <p>Where Flink keeps a merged window's state under one of the old windows' names, this class
 * keeps it with the merged window itself; what fires is the same.
 */
final class GapWindows extends EventTimeWindows {

    private final long gap;

    /** Per key: open windows, sorted by start, pairwise neither overlapping nor touching. */
    private final Map<String, List<WindowSlot>> keys = new HashMap<>();

    GapWindows(WindowedRule<Object> rule, long allowedLateness, long gap, ChangedKeys changes) {
        super(rule, allowedLateness, changes);
        this.gap = gap;
    }

    @Override
    boolean assign(Event event, long timestamp, Firings out, TakenWindows taken) {
        String key = event.key();
        List<WindowSlot> windows = keys.get(key);
        long start = timestamp;
        long end = timestamp + gap;
        int first = -1;
        int last = -1;
        int insertAt = 0;
        int n = windows == null ? 0 : windows.size();
        for (int i = 0; i < n; i++) {
            WindowSlot s = windows.get(i);
            if (TimeWindows.intersects(s.start, s.end, start, end)) {
                first = first < 0 ? i : first;
                last = i;
            } else if (s.start < start) {
                insertAt = i + 1;
            }
        }
        WindowSlot actual;
        if (first < 0) {
            actual = new WindowSlot(start, end, null, 0);
        } else {
            actual =
                    mergeInto(
                            key,
                            windows,
                            first,
                            last,
                            Math.min(start, windows.get(first).start),
                            Math.max(end, windows.get(last).end));
        }
        if (isWindowLate(actual.end)) {
            if (first
                    >= 0) { // cannot happen: a merged window ends after an open one; Flink retires
                // it too
                remove(key, actual);
                openWindows--;
            }
            return true;
        }
        add(event, actual);
        if (first < 0) {
            if (windows == null) {
                windows = new ArrayList<>(2);
                keys.put(key, windows);
            }
            windows.add(insertAt, actual);
            openWindows++;
        }
        afterAdd(key, actual, first < 0, out); // a merged window got its timers in mergeInto
        return false;
    }

    /** Joins the event to this key's windows only when it touches one (then merging as usual). */
    @Override
    boolean addToOpenWindows(Event event, long timestamp, Firings out, TakenWindows taken) {
        List<WindowSlot> windows = keys.get(event.key());
        if (windows == null) {
            return false;
        }
        boolean touches = false;
        for (WindowSlot s : windows) {
            touches |= TimeWindows.intersects(s.start, s.end, timestamp, timestamp + gap);
        }
        if (!touches || assign(event, timestamp, out, taken)) {
            return false;
        }
        taken.takeAll();
        return true;
    }

    @Override
    void forEachSlot(Consumer<WindowSlot> visitor) {
        keys.values().forEach(windows -> windows.forEach(visitor));
    }

    /**
     * Flink's merge of the key's {@code windows} {@code first..last} with a new window into {@code
     * [start, end)}: nothing happens when the cover is the one existing window itself; otherwise
     * the cover's timer is set (unless the watermark is past its end), the merged windows' timers
     * are deleted and their accumulators merged, earlier window first.
     */
    private WindowSlot mergeInto(
            String key, List<WindowSlot> windows, int first, int last, long start, long end) {
        WindowSlot only = windows.get(first);
        if (first == last && only.start == start && only.end == end) {
            return only;
        }
        if (TimeWindows.cleanupTime(end, allowedLateness)
                <= watermark) { // Flink throws here too; unreachable
            throw new IllegalStateException(
                    "window [" + start + ", " + end + ") would end behind watermark " + watermark);
        }
        Object accumulator = only.accumulator;
        long count = only.count;
        for (int i = first + 1;
                i <= last;
                i++) { // rule code first: if it throws, nothing has changed
            WindowSlot m = windows.get(i);
            accumulator = rule.merge(accumulator, m.accumulator);
            count += m.count;
        }
        long max = TimeWindows.maxTimestamp(end);
        if (max > watermark) {
            timers.register(max, key, start, end);
        }
        // Flink sets the cleanup timer after the event is added; set here, the merged window is
        // cleaned up even if the rule then throws in add.
        timers.register(TimeWindows.cleanupTime(end, allowedLateness), key, start, end);
        for (int i = first; i <= last; i++) {
            WindowSlot m = windows.get(i);
            timers.delete(TimeWindows.maxTimestamp(m.end), key, m.start, m.end);
            timers.delete(TimeWindows.cleanupTime(m.end, allowedLateness), key, m.start, m.end);
        }
        WindowSlot merged = new WindowSlot(start, end, accumulator, count);
        windows.subList(first + 1, last + 1).clear();
        windows.set(first, merged);
        openWindows -= last - first;
        return merged;
    }

    @Override
    WindowSlot find(String key, long start, long end) {
        List<WindowSlot> windows = keys.get(key);
        if (windows != null) {
            for (WindowSlot s : windows) {
                if (s.start == start && s.end == end) {
                    return s;
                }
            }
        }
        return null;
    }

    @Override
    void remove(String key, WindowSlot slot) {
        changes.mark(key);
        List<WindowSlot> windows = keys.get(key);
        windows.remove(slot);
        if (windows.isEmpty()) {
            keys.remove(key);
        }
    }

    @Override
    public int windowCount(String key) {
        List<WindowSlot> windows = keys.get(key);
        return windows == null ? 0 : windows.size();
    }

    @Override
    List<WindowSlot> slotsOf(String key) {
        return keys.getOrDefault(key, List.of());
    }

    @Override
    void forEachKey(Consumer<String> visitor) {
        keys.keySet().forEach(visitor);
    }

    @Override
    void checkBounds(List<WindowState> windows) {
        // the messages call them by their public name, the config's "type": "session"
        WindowState previous = null;
        for (WindowState w : windows) {
            if (w.end - w.start < gap) {
                throw new IllegalArgumentException(
                        "window " + w + " is shorter than the session gap of " + gap + " ms");
            }
            if (previous != null
                    && (w.start <= previous.start
                            || TimeWindows.intersects(
                                    previous.start, previous.end, w.start, w.end))) {
                throw new IllegalArgumentException(
                        "window "
                                + w
                                + " overlaps or touches "
                                + previous
                                + "; a key's session windows are merged when they do");
            }
            previous = w;
        }
    }

    @Override
    void put(String key, WindowSlot slot) {
        keys.computeIfAbsent(key, k -> new ArrayList<>(2)).add(slot); // restored by start
    }

    @Override
    public int keys() {
        return keys.size();
    }
}
