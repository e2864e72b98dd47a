package dev.flinksidecar.sidecar.window;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.WindowedRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tumbling and sliding windows (a tumbling window is a sliding one whose slide is its size):
 * Flink's {@code SlidingEventTimeWindows.assignWindows}, windows visited from the latest start
 * back, as Flink visits them (so late firings of one event come in that order).
 */
final class AlignedWindows extends EventTimeWindows {

    private final long size;
    private final long slide;
    private final long offset;

    /** Per key: open windows by start. */
    private final WindowsByKey keys = new WindowsByKey();

    private long[] starts;

    /** {@link #slotsOf}'s answer, reused. */
    private final List<WindowSlot> sorted = new ArrayList<>();

    AlignedWindows(
            WindowedRule<Object> rule,
            long allowedLateness,
            long size,
            long slide,
            long offset,
            ChangedKeys changes) {
        super(rule, allowedLateness, changes);
        this.size = size;
        this.slide = slide;
        this.offset = offset;
        this.starts = new long[(int) Math.min(1024, (size + slide - 1) / slide)];
    }

    @Override
    boolean assign(Event event, long timestamp, Firings out, TakenWindows taken) {
        int count = assignWindows(timestamp);
        String key = event.key();
        WindowsByStart windows = keys.get(key);
        boolean skipped = true;
        for (int i = 0; i < count; i++) {
            long start = starts[i];
            long end = start + size;
            if (isWindowLate(end) || taken.contains(start, end)) {
                continue;
            }
            skipped = false;
            WindowSlot slot = windows == null ? null : windows.get(start);
            boolean fresh = slot == null;
            if (fresh) {
                slot = new WindowSlot(start, end, null, 0);
                add(event, slot); // first: if the rule throws, no empty window stays behind
                if (windows == null) {
                    windows = keys.getOrAdd(key);
                }
                windows.put(slot);
                openWindows++;
            } else {
                changes.mark(windows);
                addToAccumulator(event, slot);
            }
            afterAdd(key, slot, fresh, out);
        }
        return skipped;
    }

    @Override
    boolean addToOpenWindows(Event event, long timestamp, Firings out, TakenWindows taken) {
        WindowsByStart windows = keys.get(event.key());
        if (windows == null) {
            return false;
        }
        int count = assignWindows(timestamp);
        boolean took = false;
        for (int i = 0; i < count; i++) {
            WindowSlot slot = windows.get(starts[i]);
            if (slot == null || isWindowLate(slot.end)) {
                continue;
            }
            changes.mark(windows);
            addToAccumulator(event, slot);
            taken.add(slot.start, slot.end);
            took = true;
            afterAdd(event.key(), slot, false, out);
        }
        return took;
    }

    @Override
    void forEachSlot(Consumer<WindowSlot> visitor) {
        keys.forEach(windows -> windows.forEach(visitor));
    }

    /**
     * Fills {@link #starts} with the starts of the windows holding {@code timestamp}, latest first.
     */
    private int assignWindows(long timestamp) {
        int count = 0;
        long lastStart = TimeWindows.windowStart(timestamp, offset, slide);
        for (long start = lastStart; start > timestamp - size; start -= slide) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = start;
        }
        return count;
    }

    @Override
    WindowSlot find(String key, long start, long end) {
        WindowsByStart windows = keys.get(key);
        return windows == null ? null : windows.get(start);
    }

    @Override
    void remove(String key, WindowSlot slot) {
        WindowsByStart windows = keys.get(key);
        windows.remove(slot.start);
        if (windows.isEmpty()) {
            keys.remove(windows);
        }
    }

    @Override
    public int keys() {
        return keys.size();
    }

    @Override
    public int windowCount(String key) {
        WindowsByStart windows = keys.get(key);
        return windows == null ? 0 : windows.size();
    }

    @Override
    List<WindowSlot> slotsOf(String key) {
        sorted.clear();
        WindowsByStart windows = keys.get(key);
        if (windows != null) {
            windows.addAllTo(sorted);
            sorted.sort(Comparator.comparingLong(slot -> slot.start));
        }
        return sorted;
    }

    @Override
    void forEachKey(Consumer<String> visitor) {
        keys.forEach(windows -> visitor.accept(windows.key));
    }

    @Override
    void checkBounds(List<WindowState> windows) {
        WindowState previous = null;
        for (WindowState w : windows) {
            if (w.end - w.start != size
                    || TimeWindows.windowStart(w.start, offset, slide) != w.start) {
                throw new IllegalArgumentException(
                        "window "
                                + w
                                + " is not a window of size "
                                + size
                                + " ms starting every "
                                + slide
                                + " ms (offset "
                                + offset
                                + " ms)");
            }
            if (previous != null && w.start <= previous.start) {
                throw new IllegalArgumentException(
                        "window " + w + " does not start after the window before it, " + previous);
            }
            previous = w;
        }
    }

    @Override
    void put(String key, WindowSlot slot) {
        keys.getOrAdd(key).put(slot);
    }
}
