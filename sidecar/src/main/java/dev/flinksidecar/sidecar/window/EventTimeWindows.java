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
 * The event-time windows of one {@link WindowedRule} in one session, for every key: Flink's
 * {@code WindowOperator} with its {@code EventTimeTrigger}, driven only by the watermarks given
 * to {@link #onWatermark}.
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
 * <p>Session windows merge as Flink's {@code MergingWindowSet} merges them: a new window that
 * overlaps or touches existing ones of its key replaces them by their cover, also within the
 * allowed lateness, and the cover fires at once if the watermark is already past its end.
 *
 * <p>Across versions of the rule ({@code rules.WindowedChain}): {@link #adopt} hands every open
 * window to a new version with the same accumulator layout; otherwise the old version's windows
 * only take the events that belong to them ({@link #addToOpen}) until they fire, and the new
 * version leaves those windows alone ({@link #onElement(Event, Firings, TakenWindows)}).
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
    long watermark = Long.MIN_VALUE;
    long openWindows;

    EventTimeWindows(WindowedRule<Object> rule, long allowedLateness) {
        this.rule = rule;
        this.allowedLateness = allowedLateness;
    }

    /**
     * The windows for {@code rule}, which must be open: reads its assigner and lateness once.
     * Runs rule code.
     *
     * @throws IllegalArgumentException when the rule declares no assigner or a negative lateness
     */
    public static EventTimeWindows of(WindowedRule<?> rule) {
        @SuppressWarnings("unchecked")
        WindowedRule<Object> typed = (WindowedRule<Object>) rule;
        WindowAssigner assigner = rule.windowAssigner();
        Duration lateness = rule.allowedLateness();
        if (assigner == null) {
            throw new IllegalArgumentException("windowAssigner() returned null");
        }
        if (lateness == null || lateness.isNegative()) {
            throw new IllegalArgumentException("allowedLateness() must be zero or more, not " + lateness);
        }
        if (assigner.type() == WindowAssigner.Type.SESSION) {
            return new SessionWindows(typed, lateness.toMillis(), assigner.gap());
        }
        return new AlignedWindows(typed, lateness.toMillis(), assigner.size(), assigner.slide(), assigner.offset());
    }

    /**
     * Processes one event: adds it to its windows and fires those the watermark has already
     * passed (late firings, into {@code out}). Runs rule code; what it throws is the rule's
     * failure on this event, and windows the event was already added to keep it.
     *
     * @return true when the event is late: its rule kept it, no window took it, and its time +
     *     the allowed lateness is not above the watermark (Flink's {@code isElementLate})
     */
    public final boolean onElement(Event event, Firings out) {
        return onElement(event, out, NOTHING_TAKEN);
    }

    private static final TakenWindows NOTHING_TAKEN = new TakenWindows();

    /**
     * As {@link #onElement(Event, Firings)}, leaving out the windows that {@code taken} says an
     * older version of the rule took the event into (with the same windows, so the same
     * bounds); for session windows, leaving out the event when an older version took it at all.
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
     * The part of {@link #onElement} that a version finishing its windows does: adds the event
     * only to the windows of its key that are open here and not past their lateness (late
     * firings included), opens no window and calls nothing late. Runs rule code.
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
     * transfer fails, nothing changes and the failure is thrown. Runs rule code.
     */
    public final void adopt(WindowedRule<?> successor, AccumulatorTransfer transfer) throws IOException {
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
    }

    /** Moves an accumulator from one version of a rule to the next. */
    @FunctionalInterface
    public interface AccumulatorTransfer {
        Object transfer(Object accumulator) throws IOException;
    }

    private static long timestamp(Event event) {
        long timestamp = event.time();
        if (timestamp == Long.MIN_VALUE) {
            throw new IllegalArgumentException("event time is Long.MIN_VALUE, which Flink reads as no timestamp");
        }
        return timestamp;
    }

    /**
     * Advances event time to {@code newWatermark} and fires and drops the windows whose timers
     * are due, into {@code out} (in timestamp order). A watermark that is not above the current
     * one changes nothing, as Flink only ever forwards advancing watermarks. Rule failures of a
     * firing go to {@link Firings#failed} and do not stop the others.
     */
    public final void onWatermark(long newWatermark, Firings out) {
        if (newWatermark <= watermark) {
            return;
        }
        watermark = newWatermark;
        for (TimerQueue.Timer timer = timers.pollDue(watermark); timer != null; timer = timers.pollDue(watermark)) {
            WindowSlot slot = find(timer.key, timer.start, timer.end);
            if (slot == null) {
                continue; // Flink: a timer of a window without state has nothing to do
            }
            long max = TimeWindows.maxTimestamp(timer.end);
            if (timer.timestamp == max) {
                fireOnWatermark(timer.key, slot, out);
            }
            if (timer.timestamp == TimeWindows.cleanupTime(timer.end, allowedLateness)) {
                timers.delete(max, timer.key, timer.start, timer.end);
                remove(timer.key, slot);
                openWindows--;
            }
        }
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

    /** Adds the event to the window's accumulator. */
    final void add(Event event, WindowSlot slot) {
        Object accumulator = slot.accumulator == null ? rule.createAccumulator() : slot.accumulator;
        slot.accumulator = rule.add(event, accumulator);
        slot.count++;
    }

    /**
     * What {@code EventTimeTrigger.onElement} and {@code registerCleanupTimer} do after an
     * event joined a window: fire at once if the watermark is past its end, else set its timer;
     * and set its cleanup timer.
     *
     * <p>Only a {@code fresh} window (new, or the cover of a merge) needs its timers set: Flink
     * sets them again on every event, but timers are a set, and an open window's timers are
     * only ever removed together with the window, so for a window that was open before they are
     * all still there (or, for the end - 1 timer, have fired and would not be set again).
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
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw (VirtualMachineError) e;
            }
            out.failed(key, slot.start, slot.end, e);
        }
    }
}
