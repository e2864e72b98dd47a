package dev.flinksidecar.sidecar.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The versions of one rule over the stream, oldest first, as far as a session may still need them,
 * and the history of versions that were active (for {@code status} and {@code rollback}).
 *
 * <pre>
 *   entries:  [1.0 from cp 0, reached] [1.1 from cp 13, reached] [1.2 from cp 17, staged]
 *              a restore from cp 12 starts with 1.0 and switches at 13; a fresh session starts
 *              with 1.1; every session switches to 1.2 right after barrier 17
 * </pre>
 *
 * <p>Older entries go once no restore can need them ({@link #prune}). Guarded by the registry's
 * lock.
 */
final class RuleTimeline {

    /** Versions remembered for status and rollback, per rule. */
    static final int HISTORY = 5;

    final String id;
    final List<Activation> entries = new ArrayList<>();

    /** Versions in the order they became active, newest last. */
    final List<VersionRecord> history = new ArrayList<>();

    RuleTimeline(String id) {
        this.id = id;
    }

    Activation latest() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /** The newest entry some session switched to: what fresh sessions start with. */
    Activation latestReached() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).reached) {
                return entries.get(i);
            }
        }
        return null;
    }

    /** The newest entry of {@code version}, or null when it is not (any more) in the timeline. */
    Activation entryOf(String version) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Activation entry = entries.get(i);
            if (entry.version != null && entry.version.version().equals(version)) {
                return entry;
            }
        }
        return null;
    }

    /**
     * The entry in force right after the barrier of checkpoint {@code checkpointId}, or null when
     * the rule did not exist yet.
     */
    Activation atCheckpoint(long checkpointId) {
        Activation found = null;
        for (Activation entry : entries) {
            if (entry.immediate ? entry.reached : entry.fromCheckpoint <= checkpointId) {
                found = entry;
            }
        }
        return found;
    }

    /** The version active now (null when none, or the rule was removed). */
    VersionRecord active() {
        Activation reached = latestReached();
        return reached == null ? null : reached.record;
    }

    /** The version that was active before the active one. */
    VersionRecord previous() {
        VersionRecord active = active();
        for (int i = history.size() - 1; i >= 0; i--) {
            VersionRecord record = history.get(i);
            if (record != active
                    && (active == null || !record.version().equals(active.version()))) {
                return record;
            }
        }
        return null;
    }

    /** The staged entry, waiting for its checkpoint, or null. */
    Activation staged() {
        Activation latest = latest();
        return latest != null && !latest.reached ? latest : null;
    }

    /**
     * Marks {@code entry} reached at {@code now}: it becomes the active version, the one before it
     * retires.
     */
    void reach(Activation entry, long now) {
        if (entry.reached) {
            return;
        }
        VersionRecord before = active();
        entry.reached = true;
        if (before != null && before != entry.record) {
            before.retiredAt = now;
        }
        if (entry.record != null) {
            entry.record.activatedAt = now;
            history.remove(entry.record);
            history.add(entry.record);
        }
    }

    /**
     * Drops the entries no session can be given any more, passing each to {@code dropped}: every
     * entry before a reached one, unless a restore may still need it, and no more than {@code
     * maxRestorable} such entries are kept. A restore needs it when sessions send barriers and the
     * entry after it switches at a checkpoint not yet known complete (the restored session runs
     * it), or when a checkpoint not older than the last completed one holds windows that it was
     * finishing ({@link Activation#stateUntil}: the restored windows finish under it).
     */
    void prune(
            boolean barrierSessions,
            long lastCompleted,
            int maxRestorable,
            Consumer<Activation> dropped) {
        while (entries.size() > 1 && entries.get(1).reached) {
            Activation next = entries.get(1);
            Activation first = entries.get(0);
            int older = entries.indexOf(latestReached());
            boolean restorable =
                    barrierSessions && !next.immediate && next.fromCheckpoint > lastCompleted;
            boolean holdsState = first.stateUntil > 0 && first.stateUntil >= lastCompleted;
            if ((restorable || holdsState) && older <= maxRestorable) {
                return;
            }
            dropped.accept(entries.remove(0));
        }
    }

    /** Forgets history beyond {@link #HISTORY} entries, passing each to {@code forgotten}. */
    void trimHistory(Consumer<VersionRecord> forgotten) {
        while (history.size() > HISTORY) {
            forgotten.accept(history.remove(0));
        }
    }
}
