package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.operator.client.ServerListener;
import dev.flinksidecar.operator.client.SidecarClient;
import dev.flinksidecar.operator.client.SidecarRefusedException;
import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.operator.client.SidecarUnavailableException;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.CheckpointBarrier;
import dev.flinksidecar.proto.CheckpointCompleted;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.StateDelta;
import dev.flinksidecar.proto.StateRestore;
import dev.flinksidecar.proto.Welcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production runner: one session with the sidecar over its Unix domain socket, and a new one
 * when it breaks. Batches are encoded in the columnar layout by an {@link EventBatchWriter},
 * straight into the bytes of their frame, watermarks as interim watermarks at their place between
 * the events (never the batch's trailing {@code watermark} field, so one batch carries any number
 * of them), and written on the task thread; the client's reader thread decodes answers and calls
 * the {@link ReplyHandler}. Every frame sent since the last acknowledged barrier is kept in a
 * {@link ResendLog}, to be sent again to a new session.
 *
 * <p>A write that fails because the session broke is not an error here: the reader thread sees the
 * broken connection too and reports it to the handler, and the operator then opens a new session
 * (the frame is in the resend log); the operator's answer timeout covers the rest. A write blocks
 * while the sidecar does not read (its backpressure), but never past answer-timeout without
 * progress: the client's write watchdog then closes the socket, so the write fails and the session
 * counts as broken, as for a sidecar that is silent while the task thread waits in its mailbox.
 */
final class SocketSidecarRunner implements SidecarRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SocketSidecarRunner.class);

    /**
     * Per key state entry: the protobuf overhead of a KeyState beside its key and bytes,
     * generously.
     */
    private static final int KEY_STATE_OVERHEAD = 16;

    private final SidecarOperatorOptions options;
    private final EventBatchWriter writer = new EventBatchWriter();
    private final ResendLog resend;
    private SidecarClient client;
    private long sequence;
    private int sidecarMaxFrame;

    SocketSidecarRunner(SidecarOperatorOptions options) {
        this.options = options;
        this.resend = new ResendLog(options.get(SidecarOperatorOptions.REPLAY_BUFFER).getBytes());
    }

    /**
     * The first session; a sidecar that accepts the connection and drops it (it is starting, or
     * dying just now) is tried again until connect-timeout, as a new session after a break is.
     */
    @Override
    public SessionInfo open(Hello.Builder hello, ReplyHandler handler) throws Exception {
        return connectRetrying(
                hello.setFirstSequence(sequence + 1),
                handler,
                options.get(SidecarOperatorOptions.CONNECT_TIMEOUT));
    }

    private SessionInfo connect(Hello.Builder hello, ReplyHandler handler, Duration connectTimeout)
            throws Exception {
        Path socket = Path.of(options.get(SidecarOperatorOptions.SOCKET_PATH));
        client = SidecarClient.connect(socket, connectTimeout);
        int maxFrame = (int) options.get(SidecarOperatorOptions.MAX_FRAME_BYTES).getBytes();
        Welcome welcome =
                client.handshake(
                        hello, maxFrame, options.get(SidecarOperatorOptions.HANDSHAKE_TIMEOUT));
        sidecarMaxFrame = welcome.getMaxFrameBytes();
        client.start(
                new ServerListener() {
                    @Override
                    public void onResults(ResultBatch batch) {
                        handler.onReply(batch);
                    }

                    @Override
                    public void onStateDelta(StateDelta delta) {
                        handler.onStateDelta(delta);
                    }

                    @Override
                    public void onCheckpointAck(CheckpointAck ack) {
                        handler.onCheckpointAck(ack);
                    }

                    @Override
                    public void onShadowReport(ShadowReport report) {
                        handler.onShadowReport(report);
                    }

                    @Override
                    public void onFailure(SidecarSessionException cause) {
                        handler.onFailure(cause);
                    }
                },
                "sidecar-reader-" + hello.getOperatorName() + "-" + hello.getSubtaskIndex(),
                options.get(SidecarOperatorOptions.ANSWER_TIMEOUT));
        return new SessionInfo(
                welcome.getSidecarVersion(),
                welcome.getSessionId(),
                welcome.getRulesList(),
                welcome.getMaxFrameBytes());
    }

    @Override
    public void restore(Iterator<KeyState> keys) throws IOException {
        sendState(keys);
    }

    /** Sends the state in StateRestore messages of at most half the sidecar's frame limit each. */
    private void sendState(Iterator<KeyState> keys) throws IOException {
        long limit =
                sidecarMaxFrame > 0
                        ? sidecarMaxFrame / 2
                        : options.get(SidecarOperatorOptions.BATCH_MAX_BYTES).getBytes();
        StateRestore.Builder chunk = StateRestore.newBuilder();
        long chunkBytes = 0;
        while (keys.hasNext()) {
            KeyState key = keys.next();
            long bytes = key.getKey().length() * 3L + key.getState().size() + KEY_STATE_OVERHEAD;
            if (chunk.getKeysCount() > 0 && chunkBytes + bytes > limit) {
                write(Frames.encode(ClientMessage.newBuilder().setStateRestore(chunk).build()));
                chunk = StateRestore.newBuilder();
                chunkBytes = 0;
            }
            chunk.addKeys(key);
            chunkBytes += bytes;
        }
        if (chunk.getKeysCount() > 0) {
            write(Frames.encode(ClientMessage.newBuilder().setStateRestore(chunk).build()));
        }
    }

    private void write(byte[] frame) {
        try {
            client.sendFrame(frame);
        } catch (IOException e) {
            LOG.debug(
                    "Writing to the sidecar on {} failed; the reader reports the broken session",
                    client.socketPath(),
                    e);
        }
    }

    @Override
    public void process(EventRecord event) {
        writer.add(event);
    }

    @Override
    public int batchSize() {
        return writer.size();
    }

    @Override
    public long batchBytes() {
        return writer.estimatedBytes();
    }

    @Override
    public void watermark(long watermark) {
        writer.watermarkAfterEvents(watermark);
    }

    @Override
    public long flush() throws IOException {
        long seq = ++sequence;
        byte[] frame = writer.frame(seq, false, 0);
        writer.clear();
        resend.batch(seq, frame);
        write(frame);
        return seq;
    }

    @Override
    public void barrier(long checkpointId) throws IOException {
        if (writer.size() > 0) {
            throw new IllegalStateException("a checkpoint barrier must follow a flushed batch");
        }
        byte[] frame =
                Frames.encode(
                        ClientMessage.newBuilder()
                                .setCheckpointBarrier(
                                        CheckpointBarrier.newBuilder()
                                                .setCheckpointId(checkpointId))
                                .build());
        resend.barrier(frame);
        write(frame);
    }

    @Override
    public void barrierAcknowledged() {
        resend.clear();
    }

    @Override
    public ResendLog resendLog() {
        return resend;
    }

    @Override
    public SessionInfo reopen(
            Hello.Builder hello,
            ReplyHandler handler,
            Iterator<KeyState> state,
            OptionalLong watermark)
            throws Exception {
        if (!resend.complete()) {
            throw new IllegalStateException("the resend log is incomplete");
        }
        close();
        long first = resend.batches() > 0 ? resend.firstSequence() : sequence + 1;
        // the watermark of the barrier goes in a batch without events, numbered just before the
        // batches sent again: its answer (nothing) is that of a batch already emitted
        long start = watermark.isPresent() ? first - 1 : first;
        SessionInfo session =
                connectRetrying(
                        hello.setFirstSequence(start),
                        handler,
                        options.get(SidecarOperatorOptions.RECONNECT_TIMEOUT));
        sendState(state);
        if (watermark.isPresent()) {
            write(new EventBatchWriter().frame(start, true, watermark.getAsLong()));
        }
        for (byte[] frame : resend.frames()) {
            write(frame);
        }
        return session;
    }

    /**
     * Connects and shakes hands until it works or {@code timeout} passes: a sidecar that is just
     * coming back may accept a connection and drop it while it starts.
     */
    private SessionInfo connectRetrying(Hello.Builder hello, ReplyHandler handler, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = 10;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            try {
                return connect(hello, handler, left);
            } catch (SidecarRefusedException | SidecarUnavailableException e) {
                throw e; // refused for a reason, or nothing accepted until the deadline
            } catch (IOException e) {
                close();
                if (System.nanoTime() + backoffMs * 1_000_000 > deadline) {
                    throw e;
                }
                LOG.debug(
                        "Opening a session with the sidecar on {} failed; trying again",
                        options.get(SidecarOperatorOptions.SOCKET_PATH),
                        e);
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 500);
            }
        }
    }

    @Override
    public void checkpointCompleted(long checkpointId) throws IOException {
        write(
                Frames.encode(
                        ClientMessage.newBuilder()
                                .setCheckpointCompleted(
                                        CheckpointCompleted.newBuilder()
                                                .setCheckpointId(checkpointId))
                                .build()));
    }

    @Override
    public void finish(String reason) throws IOException {
        if (client != null) {
            client.goodbye(reason);
        }
    }

    @Override
    public void close() throws IOException {
        if (client != null) {
            client.close();
        }
    }
}
