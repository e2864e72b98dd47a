package dev.flinksidecar.operator.client;

import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.StateDelta;

/**
 * Receives what the sidecar sends after the handshake. Every method runs on the client's reader
 * thread, one call at a time, in the order the frames arrived; implementations must hand work to
 * their own thread (the operator posts it to the task's mailbox) and return quickly.
 */
public interface ServerListener {

    /** The answer to one event batch. Batches arrive in sequence order. */
    void onResults(ResultBatch batch);

    /**
     * Windowed state that changed before a CheckpointBarrier; comes before its CheckpointAck. Only
     * a session whose Hello asked for keyed state gets these; the default ignores them.
     */
    default void onStateDelta(StateDelta delta) {}

    /**
     * The answer to one CheckpointBarrier: it comes after the answers to every batch sent before
     * the barrier, and names the rule versions active right after it. Only a client that sends
     * barriers gets these; the default ignores them.
     */
    default void onCheckpointAck(CheckpointAck ack) {}

    /**
     * The differences of a rule version in shadow over one batch, sent outside the order of answers
     * (only to a client whose Hello set shadow_reports); the default ignores them.
     */
    default void onShadowReport(ShadowReport report) {}

    /**
     * The session is over and no further call will follow: {@code cause} says why (a fatal Error
     * from the sidecar, the socket closed before Goodbye, a malformed frame). Not called when the
     * client was closed locally or the sidecar closed after our Goodbye.
     */
    void onFailure(SidecarSessionException cause);
}
