package dev.flinksidecar.sidecar.window;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The event-time timers of one windowed rule in one session, as Flink's timer service keeps them: a
 * set of (timestamp, key, window), so registering a timer twice keeps one, and a timer can be
 * deleted. Timers leave in timestamp order; timers with the same timestamp leave by key, then
 * window start (Flink leaves that order open; only the order within one key is part of the
 * contract, and there a timestamp has at most one firing window).
 *
 * <p>Layout: one hash set of timers per timestamp, the timestamps in a tree. Windows of many keys
 * end at the same time, so there are few timestamps and registering or deleting a timer is a hash
 * operation after a short tree walk; a timestamp's timers are sorted once, when the watermark
 * passes it.
 */
final class TimerQueue {

    private final TreeMap<Long, Set<Timer>> byTimestamp = new TreeMap<>();

    /** The timers of the timestamp being fired, sorted, and those of them still registered. */
    private static final Timer[] NONE = new Timer[0];

    private Timer[] due = NONE;

    /**
     * The timers of the timestamp registered last, or null: the windows of many keys end together,
     * so most registrations find their timestamp here without a walk of the tree (or a boxed key).
     */
    private Set<Timer> lastRegistered;

    private long lastRegisteredAt;

    private Set<Timer> dueLeft = new HashSet<>();
    private int next;
    private int size;

    void register(long timestamp, String key, long start, long end) {
        Timer timer = new Timer(timestamp, key, start, end);
        if (dueLeft.contains(timer)) {
            return;
        }
        Set<Timer> timers = lastRegistered;
        if (timers == null || lastRegisteredAt != timestamp) {
            timers = byTimestamp.computeIfAbsent(timestamp, t -> new HashSet<>());
            lastRegistered = timers;
            lastRegisteredAt = timestamp;
        }
        if (timers.add(timer)) {
            size++;
        }
    }

    void delete(long timestamp, String key, long start, long end) {
        Timer timer = new Timer(timestamp, key, start, end);
        if (dueLeft.remove(timer)) {
            size--;
            return;
        }
        Set<Timer> timers = byTimestamp.get(timestamp);
        if (timers != null && timers.remove(timer)) {
            size--;
            if (timers.isEmpty()) {
                byTimestamp.remove(timestamp);
                forget(timers);
            }
        }
    }

    /** Removes and returns the first timer due at {@code watermark}, or null when none is. */
    Timer pollDue(long watermark) {
        while (true) {
            while (next < due.length) {
                Timer timer = due[next++];
                if (dueLeft.remove(timer)) {
                    size--;
                    return timer;
                }
            }
            due = NONE; // let fired timers (and their keys) go
            next = 0;
            Map.Entry<Long, Set<Timer>> first = byTimestamp.firstEntry();
            if (first == null || first.getKey() > watermark) {
                return null;
            }
            byTimestamp.pollFirstEntry();
            dueLeft = first.getValue();
            forget(dueLeft);
            due = dueLeft.toArray(NONE);
            Arrays.sort(due);
        }
    }

    /** Drops {@link #lastRegistered} when it is {@code timers}, which left the tree. */
    private void forget(Set<Timer> timers) {
        if (lastRegistered == timers) {
            lastRegistered = null;
        }
    }

    /** True when the timer is registered (not yet fired or deleted). */
    boolean contains(long timestamp, String key, long start, long end) {
        Timer timer = new Timer(timestamp, key, start, end);
        if (dueLeft.contains(timer)) {
            return true;
        }
        Set<Timer> timers = byTimestamp.get(timestamp);
        return timers != null && timers.contains(timer);
    }

    int size() {
        return size;
    }

    /** One timer: at {@code timestamp}, for the window {@code [start, end)} of {@code key}. */
    static final class Timer implements Comparable<Timer> {
        final long timestamp;
        final String key;
        final long start;
        final long end;

        Timer(long timestamp, String key, long start, long end) {
            this.timestamp = timestamp;
            this.key = key;
            this.start = start;
            this.end = end;
        }

        @Override
        public int compareTo(Timer other) {
            int c = Long.compare(timestamp, other.timestamp);
            if (c == 0) {
                c = key.compareTo(other.key);
            }
            if (c == 0) {
                c = Long.compare(start, other.start);
            }
            return c != 0 ? c : Long.compare(end, other.end);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Timer)) {
                return false;
            }
            Timer other = (Timer) o;
            return timestamp == other.timestamp
                    && start == other.start
                    && end == other.end
                    && key.equals(other.key);
        }

        @Override
        public int hashCode() {
            return (key.hashCode() * 31 + Long.hashCode(start)) * 31 + Long.hashCode(end);
        }

        @Override
        public String toString() {
            return "timer@" + timestamp + " " + key + " [" + start + ", " + end + ")";
        }
    }
}
