package dev.flinksidecar.sidecar.rules;

import java.util.List;

/**
 * Tells one session's {@link RuleEngine} which rule versions to run, at the only two points
 * where it may change them: before a batch, and right after a checkpoint barrier.
 *
 * <p>Every version in a returned change is acquired for the engine ({@link
 * RuleVersion#acquire()}); the engine releases it when it no longer runs any instance of it (or
 * at once, if it already ran that version).
 *
 * <p>Threads: called by the engine's thread only (one session's rule executor).
 */
public interface RuleFeed extends AutoCloseable {

    /** The changes to make before the next batch; empty when there is none (the common case, cheap). */
    List<RuleChange> atBatch();

    /** The changes to make right after the barrier of checkpoint {@code checkpointId}. */
    List<RuleChange> atBarrier(long checkpointId);

    /** The session reported checkpoint {@code checkpointId} complete. */
    default void completed(long checkpointId) {}

    /** The session ended; its engine has released what it held. */
    @Override
    void close();
}
