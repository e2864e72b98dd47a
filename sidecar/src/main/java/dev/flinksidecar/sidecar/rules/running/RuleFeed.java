package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.util.Collection;
import java.util.List;

/**
 * Tells one session's {@link RuleEngine} which rule versions to run, at the only two points where
 * it may change them: before a batch, and right after a checkpoint barrier; and, for a restored
 * session, which older versions its restored windows finish under.
 *
 * <p>Every version in a returned change is acquired for the engine ({@link RuleVersion#acquire()});
 * the engine releases it when it no longer runs any instance of it (or at once, if it already ran
 * that version).
 *
 * <p>Threads: called by the engine's thread only (one session's rule executor).
 */
public interface RuleFeed extends AutoCloseable {

    /**
     * The changes to make before the next batch; empty when there is none (the common case, cheap).
     */
    List<RuleChange> atBatch();

    /** The changes to make right after the barrier of checkpoint {@code checkpointId}. */
    List<RuleChange> atBarrier(long checkpointId);

    /** The session reported checkpoint {@code checkpointId} complete. */
    default void completed(long checkpointId) {}

    /**
     * Right after the barrier of checkpoint {@code checkpointId}, a session that keeps keyed state
     * tells which older versions still finish windows in it: the state of that checkpoint names
     * them, so a session restored from it needs them ({@link #restorable}).
     */
    default void holding(long checkpointId, Collection<RuleVersion> versions) {}

    /**
     * A version of rule {@code id} that restored state names and that this session does not run, if
     * it is still loaded: acquired for the engine, as the versions of a change are; or null.
     */
    default RuleVersion restorable(String id, String version) {
        return null;
    }

    /** The session ended; its engine has released what it held. */
    @Override
    void close();
}
