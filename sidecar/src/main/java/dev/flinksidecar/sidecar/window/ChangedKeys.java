package dev.flinksidecar.sidecar.window;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * The keys whose windowed state changed since a session's last checkpoint barrier, over all its
 * windowed rules: a window opened, an accumulator updated, a window merged, fired by a watermark
 * (its end - 1 timer is gone) or dropped at cleanup, or its windows taken over by a new version. At
 * the next barrier only these keys are written again ({@code rules.running.KeyedState}).
 *
 * <p>The cost on the hot path: for aligned windows, a compare of the key's windows' epoch with the
 * set's ({@link #mark(WindowsByStart)}); otherwise one hash-set lookup per event that changes a
 * window. A key already marked allocates nothing and writes nothing. {@link #untracked()} marks
 * nothing (sessions without keyed state, {@code replay}).
 *
 * <p>One thread: the session's engine.
 */
public final class ChangedKeys {

    private static final ChangedKeys UNTRACKED = new ChangedKeys(false, GuardedWrites.NONE);

    private final boolean tracking;
    private final Set<String> keys = new HashSet<>();

    /** Counts the {@link #clear()}s: a key marked in the current epoch is in {@link #keys}. */
    private long epoch;

    /**
     * Keeps an abandoned rule thread from marking keys: the set is the session's, not its rule's.
     */
    private final GuardedWrites guard;

    private ChangedKeys(boolean tracking, GuardedWrites guard) {
        this.tracking = tracking;
        this.guard = guard;
    }

    /** A set that records the keys marked. */
    public static ChangedKeys tracked() {
        return tracked(GuardedWrites.NONE);
    }

    /** A set that records the keys marked, each mark made under {@code guard}. */
    public static ChangedKeys tracked(GuardedWrites guard) {
        return new ChangedKeys(true, guard);
    }

    /** The shared set that records nothing. */
    public static ChangedKeys untracked() {
        return UNTRACKED;
    }

    void mark(String key) {
        // a key marked already (most events) needs no write, so no guard either
        if (tracking && !keys.contains(key)) {
            guard.begin();
            try {
                keys.add(key);
            } finally {
                guard.end();
            }
        }
    }

    /**
     * Marks a key from outside the window engine (a restored key whose state was partly dropped).
     */
    public void markChanged(String key) {
        mark(key);
    }

    /**
     * Marks {@code windows}' key unless it was marked since the last {@link #clear()}: the windows
     * remember the epoch they were marked in, so an event of a key marked already costs no set
     * lookup (most events).
     */
    void mark(WindowsByStart windows) {
        if (windows.markedIn != epoch) {
            mark(windows.key);
            windows.markedIn = epoch;
        }
    }

    /** The keys marked since the last {@link #clear()}; a live, read-only view. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(keys);
    }

    /** Forgets every key (at a barrier, once their state is written); keeps the set's capacity. */
    public void clear() {
        keys.clear();
        epoch++;
    }
}
