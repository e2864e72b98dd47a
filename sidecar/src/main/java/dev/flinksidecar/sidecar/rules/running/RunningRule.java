package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * One rule class as a session's {@link RuleEngine} runs it, behind the two calls the engine makes:
 * an event, and a watermark. Either an opened per-event rule ({@link PerEventRule}), or a windowed
 * rule with the older versions still finishing their windows ({@link WindowedChain}). A {@link
 * RuleSlot} holds the running rules of one rule id (one per rule class of its version); the {@link
 * RuleTable} lines them all up in the order of the answer's rule table.
 *
 * <p>The engine positions the {@link BatchAnswer} on {@link #index()} before each call; a running
 * rule with several versions re-points it itself. Each sets the context classloader of the rule it
 * calls through the {@link ContextSwitch}.
 *
 * <p>One thread: the engine's.
 */
abstract class RunningRule {

    /**
     * Appends this rule's versions to the batch's rule table and remembers their indexes; appends
     * the version of each entry to {@code versions}, at the same index.
     */
    abstract void index(List<RuleRef> table, List<RuleVersion> versions);

    /** Where this rule's results go in the rule table by default. */
    abstract int index();

    /** Runs the rule on one event; what it throws is the rule's failure on this event. */
    abstract void onEvent(Event event, BatchAnswer answer, ContextSwitch context) throws Exception;

    /** Advances event time; only windowed rules care. */
    void onWatermark(long watermark, BatchAnswer answer, ContextSwitch context) {}

    /** True for rules that {@link #onWatermark} concerns. */
    boolean windowed() {
        return false;
    }

    /**
     * The version answerable for what a call into this rule does: the one new events go to (for a
     * windowed rule whose only versions are finishing, the newest of them).
     */
    abstract RuleVersion blamed();

    /**
     * Adds the table indexes of its versions (more than one for a windowed rule finishing older
     * ones).
     */
    void indexes(BitSet into) {
        into.set(index());
    }

    /** Adds the versions this rule runs instances of. */
    abstract void versions(Collection<RuleVersion> into);

    /**
     * Closes the instances that have nothing left to do; true when it closed one. Runs rule code.
     */
    boolean reap() {
        return false;
    }

    /** Open windows of its instances (0 for a per-event rule). */
    long openWindows() {
        return 0;
    }

    /** Keys with open windows, per instance summed (0 for a per-event rule). */
    long windowKeys() {
        return 0;
    }

    /** True when it runs nothing any more and can be dropped. */
    boolean finished() {
        return false;
    }

    /** Closes every instance (failures are logged). Runs rule code. */
    abstract void close();
}
