package dev.flinksidecar.sidecar.window;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The event-time windows of one {@link WindowedRule} in one session, for every key: Flink's {@code
 * WindowOperator} with its {@code EventTimeTrigger}, driven only by the watermarks given to {@link
 * #onWatermark}.
 *
 * <pre>
 *  onElement(e)   filter -> assign windows (Flink's assigners) -> for each window:
 *                   past end-1+lateness?  skip it
 *                   else add e to its accumulator;
 *                        end-1 <= watermark?  fire now (late firing)   else timer at end-1
 *                        timer at end-1+lateness (cleanup)
 *                 skipped by every window and time+lateness <= watermark  => late (returns true)
 *  onWatermark(w) timers due at w, in timestamp order: at end-1 fire; at end-1+lateness drop
 *                 (with lateness 0 one timer does both); Long.MAX_VALUE fires every open window
 * </pre>
 *
 * <p>Gap windows (what Flink calls session windows, {@link GapWindows}) merge as Flink's {@code
 * MergingWindowSet} merges them: a new window that overlaps or touches existing ones of its key
 * replaces them by their cover, also within the allowed lateness, and the cover fires at once if
 * the watermark is already past its end.
 *
 * <p>Across versions of the rule ({@code rules.running.WindowedChain}): {@link #adopt} hands every
 * open window to a new version with the same accumulator layout; otherwise the old version's
 * windows only take the events that belong to them ({@link #addToOpen}) until they fire, and the
 * new version leaves those windows alone ({@link #onElement(Event, Firings, TakenWindows)}).
 *
 * <p>Checkpoints: every change to a key's windows marks the key in {@link ChangedKeys}; a
 * checkpoint reads a key's windows with {@link #forEachWindow} and a restored session puts them
 * back with {@link #restore}. As in Flink's {@code WindowOperator}, timers are state and the
 * watermark is not: a restored session starts at {@code Long.MIN_VALUE}, and its windows fire when
 * the watermarks forwarded after the restore pass them.
 *
 * <p>Memory: per key and open window one {@link WindowSlot} (bounds, accumulator, count) and at
 * most two timers; keys without open windows are forgotten.
 *
 * <p>Threads: not thread-safe; one thread at a time (the session's rule executor, or {@code
 * replay}'s main thread), with the rule's classloader as context classloader.
 */
public abstract class EventTimeWindows {

    /** The rule whose accumulators these are; replaced only by {@link #adopt}. */
    WindowedRule<Object> rule;

    final long allowedLateness;
    final TimerQueue timers = new TimerQueue();

    /** Where the keys whose windows change are marked, for the next checkpoint. */
    final ChangedKeys changes;

    long watermark = Long.MIN_VALUE;
    long openWindows;

    /**
     * After a restore: the last end - 1 of the restored windows that had fired before the
     * checkpoint. Until the watermark reaches it, an event joining such a window sets its end - 1
     * timer again ({@link #afterAdd}), as Flink's trigger does with the watermark it restarts from.
     */
    private long refireUntil = Long.MIN_VALUE;

    EventTimeWindows(WindowedRule<Object> rule, long allowedLateness, ChangedKeys changes) {
        this.rule = rule;
        this.allowedLateness = allowedLateness;
        this.changes = changes;
    }

    /**
     * The windows for {@code rule}, which must be open: reads its assigner and lateness once. Runs
     * rule code.
     *
     * @throws IllegalArgumentException when the rule declares no assigner or a negative lateness
     */
    public static EventTimeWindows of(WindowedRule<?> rule) {
        return of(rule, ChangedKeys.untracked());
    }

    /** As {@link #of(WindowedRule)}, marking every key whose windows change in {@code changes}. */
    public static EventTimeWindows of(WindowedRule<?> rule, ChangedKeys changes) {
        @SuppressWarnings("unchecked")
        WindowedRule<Object> typed = (WindowedRule<Object>) rule;
        WindowAssigner assigner = rule.windowAssigner();
        Duration lateness = rule.allowedLateness();
        if (assigner == null) {
            throw new IllegalArgumentException("windowAssigner() returned null");
        }
        if (lateness == null || lateness.isNegative()) {
            throw new IllegalArgumentException(
                    "allowedLateness() must be zero or more, not " + lateness);
        }
        if (assigner.type() == WindowAssigner.Type.SESSION) {
            return new GapWindows(typed, lateness.toMillis(), assigner.gap(), changes);
        }
        return new AlignedWindows(
                typed,
                lateness.toMillis(),
                assigner.size(),
                assigner.slide(),
                assigner.offset(),
                changes);
    }

    /**
     * Processes one event: adds it to its windows and fires those the watermark has already passed
     * (late firings, into {@code out}). Runs rule code; what it throws is the rule's failure on
     * this event, and windows the event was already added to keep it.
     *
     * @return true when the event is late: its rule kept it, no window took it, and its time + the
     *     allowed lateness is not above the watermark (Flink's {@code isElementLate})
     */
    public final boolean onElement(Event event, Firings out) {
        return onElement(event, out, NOTHING_TAKEN);
    }

    private static final TakenWindows NOTHING_TAKEN = new TakenWindows();

    /**
     * As {@link #onElement(Event, Firings)}, leaving out the windows that {@code taken} says an
     * older version of the rule took the event into (with the same windows, so the same bounds);
     * for gap windows, leaving out the event when an older version took it at all.
     */
    public final boolean onElement(Event event, Firings out, TakenWindows taken) {
        if (taken.all() || !rule.filter(event)) {
            return false;
        }
        long timestamp = timestamp(event);
        boolean skipped = assign(event, timestamp, out, taken);
        return skipped && timestamp + allowedLateness <= watermark;
    }

    /**
     * The part of {@link #onElement} that a version finishing its windows does: adds the event only
     * to the windows of its key that are open here and not past their lateness (late firings
     * included), opens no window and calls nothing late. Runs rule code.
     *
     * @param taken where the windows that took the event are added
     * @return true when a window took the event
     */
    public final boolean addToOpen(Event event, Firings out, TakenWindows taken) {
        if (openWindows == 0 || !rule.filter(event)) {
            return false;
        }
        return addToOpenWindows(event, timestamp(event), out, taken);
    }

    /**
     * Hands every open window to {@code successor}, a new version of the rule with the same
     * windows, lateness and accumulator layout: each accumulator goes through {@code transfer}
     * (written with the old version's codec, read with the new one's). All or nothing: when a
     * transfer fails, nothing changes and the failure is thrown. Every key with open windows is
     * marked changed: its state now names the new version. Runs rule code.
     */
    public final void adopt(WindowedRule<?> successor, AccumulatorTransfer transfer)
            throws IOException {
        List<WindowSlot> slots = new ArrayList<>();
        forEachSlot(slots::add);
        Object[] converted = new Object[slots.size()];
        for (int i = 0; i < converted.length; i++) {
            Object accumulator = slots.get(i).accumulator;
            converted[i] = accumulator == null ? null : transfer.transfer(accumulator);
        }
        for (int i = 0; i < converted.length; i++) {
            slots.get(i).accumulator = converted[i];
        }
        @SuppressWarnings("unchecked")
        WindowedRule<Object> typed = (WindowedRule<Object>) successor;
        rule = typed;
        forEachKey(changes::mark);
    }

    /**
     * Copies every open window of {@code from}, the same rule's windows in another engine (a
     * candidate run in shadow on the same events and watermarks), into these windows, which must be
     * empty and at the same watermark: bounds, counts, timers and whether the end - 1 timer fired
     * are kept, each accumulator goes through {@code transfer}. All or nothing: when a transfer
     * fails, nothing changes and the failure is thrown. Every key copied is marked changed. Runs
     * rule code.
     *
     * @throws IllegalArgumentException when windows are open here already, or when the windows of
     *     {@code from} are not of the same kind, size and lateness
     */
    public final void copyFrom(EventTimeWindows from, AccumulatorTransfer transfer)
            throws IOException {
        if (openWindows > 0) {
            throw new IllegalArgumentException("windows are open here already");
        }
        if (from.getClass() != getClass() || from.allowedLateness != allowedLateness) {
            throw new IllegalArgumentException("the windows to copy are of another kind");
        }
        List<String> keys = new ArrayList<>();
        from.forEachKey(keys::add);
        List<List<WindowState>> windows = new ArrayList<>(keys.size());
        for (String key : keys) {
            List<WindowState> states = new ArrayList<>();
            for (WindowSlot slot : from.slotsOf(key)) {
                Object accumulator =
                        slot.accumulator == null ? null : transfer.transfer(slot.accumulator);
                states.add(
                        new WindowState(
                                slot.start,
                                slot.end,
                                slot.count,
                                from.fired(key, slot),
                                accumulator));
            }
            windows.add(states);
        }
        for (int i = 0; i < keys.size(); i++) {
            checkBounds(windows.get(i));
        }
        for (int i = 0; i < keys.size(); i++) {
            restore(keys.get(i), windows.get(i));
            changes.mark(keys.get(i));
        }
    }

    /**
     * Marks every key with open windows here changed: their state is about to be dropped or
     * replaced, so the next checkpoint writes them again.
     */
    public final void markEveryKeyChanged() {
        forEachKey(changes::mark);
    }

    /** Moves an accumulator from one version of a rule to the next. */
    @FunctionalInterface
    public interface AccumulatorTransfer {
        Object transfer(Object accumulator) throws IOException;
    }

    private static long timestamp(Event event) {
        long timestamp = event.time();
        if (timestamp == Long.MIN_VALUE) {
            throw new IllegalArgumentException(
                    "event time is Long.MIN_VALUE, which Flink reads as no timestamp");
        }
        return timestamp;
    }

    /**
     * Advances event time to {@code newWatermark} and fires and drops the windows whose timers are
     * due, into {@code out} (in timestamp order). A watermark that is not above the current one
     * changes nothing, as Flink only ever forwards advancing watermarks. Rule failures of a firing
     * go to {@link Firings#failed} and do not stop the others.
     */
    public final void onWatermark(long newWatermark, Firings out) {
        if (newWatermark <= watermark) {
            return;
        }
        watermark = newWatermark;
        for (TimerQueue.Timer timer = timers.pollDue(watermark);
                timer != null;
                timer = timers.pollDue(watermark)) {
            WindowSlot slot = find(timer.key, timer.start, timer.end);
            if (slot == null) {
                continue; // Flink: a timer of a window without state has nothing to do
            }
            long max = TimeWindows.maxTimestamp(timer.end);
            changes.mark(timer.key); // fired (its end - 1 timer is gone) or dropped
            if (timer.timestamp == max) {
                fireOnWatermark(timer.key, slot, out);
            }
            if (timer.timestamp == TimeWindows.cleanupTime(timer.end, allowedLateness)) {
                if (timer.timestamp != max) { // else the end - 1 timer is this one, gone already
                    timers.delete(max, timer.key, timer.start, timer.end);
                }
                remove(timer.key, slot);
                openWindows--;
            }
        }
    }

    /**
     * Starts these windows, still empty, at the watermark of the session they join (a new version
     * or rule activated in a running session), so that its events are late or on time by the same
     * watermark as every other rule's. Fires nothing.
     *
     * @throws IllegalStateException when windows are open already
     */
    public final void startAt(long sessionWatermark) {
        if (openWindows > 0) {
            throw new IllegalStateException(
                    "windows are open already; only new windows start at the session's watermark");
        }
        watermark = Math.max(watermark, sessionWatermark);
    }

    /** The current watermark; {@code Long.MIN_VALUE} before the first. */
    public final long watermark() {
        return watermark;
    }

    /** Windows held now, over all keys. */
    public final long openWindows() {
        return openWindows;
    }

    /** Keys with at least one open window. */
    public abstract int keys();

    /** True when {@code key} has at least one open window here. */
    public final boolean hasWindows(String key) {
        return windowCount(key) > 0;
    }

    /** The open windows of {@code key} here. */
    public abstract int windowCount(String key);

    /**
     * Visits the open windows of {@code key}, by start, as a checkpoint stores them ({@link
     * WindowState}). Runs no rule code itself.
     */
    public final void forEachWindow(String key, WindowVisitor visitor) throws IOException {
        for (WindowSlot slot : slotsOf(key)) {
            visitor.window(slot.start, slot.end, slot.count, fired(key, slot), slot.accumulator);
        }
    }

    /**
     * Whether the window's end - 1 timer has fired. Without lateness one timer does both, and it is
     * pending while the window exists. Otherwise it is pending exactly while end - 1 is above the
     * watermark, except after a restore, until the watermark passes the windows restored after they
     * fired ({@link #refireUntil}): then the timers say.
     */
    private boolean fired(String key, WindowSlot slot) {
        long max = TimeWindows.maxTimestamp(slot.end);
        if (max == TimeWindows.cleanupTime(slot.end, allowedLateness)) {
            return false;
        }
        return watermark >= refireUntil
                ? max <= watermark
                : !timers.contains(max, key, slot.start, slot.end);
    }

    /**
     * Installs the windows a checkpoint held for {@code key}, with their timers: the cleanup timer,
     * and the end - 1 timer unless the window had fired. Nothing else changes: the watermark stays
     * where it is ({@code Long.MIN_VALUE} in a restored session) and the key is not marked changed.
     * All or nothing.
     *
     * @throws IllegalArgumentException naming the window when the windows cannot be this rule's
     *     (other bounds, overlapping gap windows, a fired window without allowed lateness), or when
     *     the key has open windows here already
     */
    public final void restore(String key, List<WindowState> windows) {
        if (hasWindows(key)) {
            throw new IllegalArgumentException(
                    "the key has open windows of this rule already (is its state restored twice?)");
        }
        checkBounds(windows);
        for (WindowState w : windows) {
            if (w.fired
                    && TimeWindows.maxTimestamp(w.end)
                            == TimeWindows.cleanupTime(w.end, allowedLateness)) {
                throw new IllegalArgumentException(
                        "window "
                                + w
                                + " is marked fired, but without allowed lateness a window goes when it fires");
            }
        }
        for (WindowState w : windows) {
            WindowSlot slot = new WindowSlot(w.start, w.end, w.accumulator, w.count);
            put(key, slot);
            openWindows++;
            long max = TimeWindows.maxTimestamp(w.end);
            long cleanup = TimeWindows.cleanupTime(w.end, allowedLateness);
            timers.register(cleanup, key, w.start, w.end);
            if (w.fired) {
                refireUntil = Math.max(refireUntil, max);
            } else if (max != cleanup) {
                timers.register(max, key, w.start, w.end);
            }
        }
    }

    /** The open windows of {@code key}, by start (empty when none); valid until the next change. */
    abstract List<WindowSlot> slotsOf(String key);

    /** Visits every key with open windows. */
    abstract void forEachKey(Consumer<String> visitor);

    /**
     * Throws an {@link IllegalArgumentException} naming the first window that is not one these
     * windows could hold, given with the other windows of its key, by start.
     */
    abstract void checkBounds(List<WindowState> windows);

    /** Adds a restored window to its key's windows (checked by {@link #checkBounds}). */
    abstract void put(String key, WindowSlot slot);

    /**
     * Assigns the event to its windows and adds it to those that are not late.
     *
     * @return true when no window took it (Flink's {@code isSkippedElement})
     */
    abstract boolean assign(Event event, long timestamp, Firings out, TakenWindows taken);

    /** {@link #addToOpen} for this kind of windows. */
    abstract boolean addToOpenWindows(Event event, long timestamp, Firings out, TakenWindows taken);

    /** Visits every open window. */
    abstract void forEachSlot(Consumer<WindowSlot> visitor);

    /** The open window {@code [start, end)} of {@code key}, or null. */
    abstract WindowSlot find(String key, long start, long end);

    /** Forgets an open window of {@code key} (and the key when it was its last). */
    abstract void remove(String key, WindowSlot slot);

    /** Flink's {@code isWindowLate}: the window's cleanup time has passed. */
    final boolean isWindowLate(long end) {
        return TimeWindows.cleanupTime(end, allowedLateness) <= watermark;
    }

    /** Marks the event's key changed and adds the event to the window's accumulator. */
    final void add(Event event, WindowSlot slot) {
        changes.mark(event.key());
        addToAccumulator(event, slot);
    }

    /** Adds the event to the window's accumulator; its key is marked changed already. */
    final void addToAccumulator(Event event, WindowSlot slot) {
        Object accumulator = slot.accumulator == null ? rule.createAccumulator() : slot.accumulator;
        slot.accumulator = rule.add(event, accumulator);
        slot.count++;
    }

    /**
     * What {@code EventTimeTrigger.onElement} and {@code registerCleanupTimer} do after an event
     * joined a window: fire at once if the watermark is past its end, else set its timer; and set
     * its cleanup timer.
     *
     * <p>Only a {@code fresh} window (new, or the cover of a merge) needs its timers set: Flink
     * sets them again on every event, but timers are a set, and an open window's timers are only
     * ever removed together with the window, so for a window that was open before they are all
     * still there (or, for the end - 1 timer, have fired and would not be set again). The exception
     * is a window restored after it fired, while the watermark, which restarts at {@code
     * Long.MIN_VALUE}, has not yet reached its end - 1: Flink sets that timer again.
     */
    final void afterAdd(String key, WindowSlot slot, boolean fresh, Firings out) {
        long max = TimeWindows.maxTimestamp(slot.end);
        if (fresh) {
            // The cleanup timer before firing (Flink sets it after; there is no effect in between):
            // a firing the rule fails on leaks no window.
            long cleanup = TimeWindows.cleanupTime(slot.end, allowedLateness);
            timers.register(cleanup, key, slot.start, slot.end);
            if (max > watermark && max != cleanup) {
                timers.register(max, key, slot.start, slot.end);
            }
        } else if (watermark < refireUntil && max > watermark) {
            timers.register(
                    max,
                    key,
                    slot.start,
                    slot.end); // a no-op unless the window was restored after it fired
        }
        if (max <= watermark) {
            fire(key, slot, out);
        }
    }

    private void fire(String key, WindowSlot slot, Firings out) {
        double value = rule.getResult(slot.accumulator);
        if (rule.keepResult(value, slot.count)) {
            out.fire(key, slot.start, slot.end, value, slot.count);
        }
    }

    private void fireOnWatermark(String key, WindowSlot slot, Firings out) {
        try {
            fire(key, slot, out);
        } catch (Exception e) {
            out.failed(key, slot.start, slot.end, e);
        }
        // an Error goes up to the engine, which quarantines the rule
    }
}
