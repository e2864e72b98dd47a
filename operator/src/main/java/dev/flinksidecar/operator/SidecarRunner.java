package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.KeyState;
import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.OptionalLong;

/**
 * The transport under the sidecar operator, in the manner of flink-python's {@code
 * PythonFunctionRunner}: the operator decides when a batch is full and how many may be in flight;
 * the runner only builds the open batch, sends it, and hands back the answers.
 *
 * <pre>
 *   open ──► restore? ──► ( (process | watermark)* flush | barrier barrierAcknowledged )* ──► finish ──► close
 *                 session broke ──► reopen (state of the last acknowledged barrier, then what was sent since) ──┘
 * </pre>
 *
 * Watermarks travel in band, inside the batch, at their exact place between its events (the interim
 * watermarks of event.proto), so a watermark does not end a batch.
 *
 * <p>Every method except {@link #close()} runs on the task thread. Replies reach the {@link
 * ReplyHandler} on a thread of the runner's own, one at a time and in sequence order.
 */
public interface SidecarRunner extends Closeable {

    /**
     * Opens the session. {@code hello} carries the job and subtask identity; the runner fills in
     * the protocol fields.
     *
     * @return what the sidecar announced
     * @throws Exception when no session could be opened; the message names the socket and the
     *     reason
     */
    SessionInfo open(Hello.Builder hello, ReplyHandler handler) throws Exception;

    /** Adds one event to the open batch. */
    void process(EventRecord event);

    /** Events in the open batch. */
    int batchSize();

    /** Estimated encoded bytes of the open batch. */
    long batchBytes();

    /**
     * Adds a watermark to the open batch, after the events added so far: the sidecar applies it
     * between them and the next event (interim watermark, see event.proto).
     */
    void watermark(long watermark);

    /**
     * Sends the open batch (possibly without events, when it only carries watermarks, or nothing at
     * all) and starts a new one.
     *
     * @return the batch's sequence number; its answer carries the same number
     */
    long flush() throws IOException;

    /**
     * Sends a checkpoint barrier after everything sent so far (the open batch must be empty):
     * windowed rule versions staged for this checkpoint become active right after it. Its answer
     * reaches {@link ReplyHandler#onCheckpointAck} after the answers to the batches before it.
     * Checkpoint ids only increase within a session.
     */
    void barrier(long checkpointId) throws IOException;

    /**
     * Gives the sidecar the windowed state of this subtask's keys, restored by Flink, right after
     * {@link #open} and before any event ({@code StateRestore}, split to fit the frame limit).
     */
    void restore(Iterator<KeyState> keys) throws IOException;

    /**
     * The sidecar acknowledged the last barrier and the operator has written the state it sent with
     * it into Flink keyed state: what a resend would have needed up to it can go.
     */
    void barrierAcknowledged();

    /**
     * What was sent since the last acknowledged barrier and is kept to send again to a new session.
     */
    ResendLog resendLog();

    /**
     * Opens a new session after the previous one broke, standing where the broken one stood: the
     * sidecar gets {@code state} (the windowed state as of the last acknowledged barrier) and the
     * watermark it had then (when known), then every batch and barrier sent since, under their
     * first sequence numbers. Their answers reach {@code handler} again, in order, and later
     * batches continue the numbering. Keeps trying to connect until the reconnect timeout.
     *
     * @throws IllegalStateException when the {@link #resendLog()} is not complete
     * @throws Exception when no new session could be opened (as {@link #open})
     */
    SessionInfo reopen(
            Hello.Builder hello,
            ReplyHandler handler,
            Iterator<KeyState> state,
            OptionalLong watermark)
            throws Exception;

    /** Tells the sidecar that Flink completed checkpoint {@code checkpointId}; not answered. */
    void checkpointCompleted(long checkpointId) throws IOException;

    /** Ends the session politely (Goodbye). Answers to batches already sent still arrive. */
    void finish(String reason) throws IOException;

    /** Releases everything; after it returns no handler call starts. Any thread; idempotent. */
    @Override
    void close() throws IOException;
}
