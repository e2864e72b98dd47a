package dev.flinksidecar.operator;

import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.StateDelta;

/**
 * Where a {@link SidecarRunner} delivers answers. Both methods run on the runner's own thread (the
 * socket reader), never on the task thread; the operator's implementation only decodes and posts
 * the work to the task's mailbox.
 */
public interface ReplyHandler {

    /** The answer to one batch; answers come in sequence order. */
    void onReply(ResultBatch reply);

    /**
     * Windowed state that changed before a checkpoint barrier; comes before that barrier's
     * acknowledgement.
     */
    void onStateDelta(StateDelta delta);

    /** The answer to a checkpoint barrier, after the answers to every batch sent before it. */
    void onCheckpointAck(CheckpointAck ack);

    /**
     * The differences of a rule version in shadow over one batch, outside the order of answers; the
     * default ignores them.
     */
    default void onShadowReport(ShadowReport report) {}

    /** The session broke; no further call follows. */
    void onFailure(Throwable cause);
}
