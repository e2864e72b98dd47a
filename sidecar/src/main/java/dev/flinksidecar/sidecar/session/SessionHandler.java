package dev.flinksidecar.sidecar.session;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.CheckpointBarrier;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Goodbye;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.StateRestore;
import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.sidecar.metrics.SessionMeters;
import dev.flinksidecar.sidecar.transport.FrameDecoder;
import dev.flinksidecar.sidecar.transport.FrameTimeoutException;
import dev.flinksidecar.sidecar.transport.InputAccount;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session: the protocol state of one connection, the last handler of its pipeline.
 *
 * <pre>
 *  event loop                                   rule executor (serial per session)
 *  Hello    -> check version -----------------> open fresh rule instances, write Welcome
 *              (wrong: Refusal, close)
 *  StateRestore -> keyed state, no batch yet? --> engine.restore -> non-fatal Error per key dropped
 *  EventBatch seq=n -> check order, count -----> engine.process -> write ResultBatch seq=n
 *                                                  (rule versions may change before it)
 *  write done <----------------------------------'   (answers leave in sequence order)
 *  CheckpointBarrier N -> check order, count ----> engine.barrier: staged windowed versions
 *                                                  switch; keyed state: engine.snapshot ->
 *                                                  write StateDelta N... -> write CheckpointAck N
 *  CheckpointCompleted N ------------------------> engine.completed (old versions let go)
 *  Goodbye  -> close once every answer is written
 *  closed   -> ----------------------------------> close the rule instances
 * </pre>
 *
 * <p>Keyed state ({@code Hello.keyed_state}, which needs {@code checkpoint_barriers}): the state
 * each barrier writes is that of right after the barrier, once the versions staged for it are
 * active, because a session restored from that checkpoint starts with those versions ({@code
 * Hello.restored_checkpoint_id}); only the keys whose windows changed since the previous barrier
 * (or since the session opened) are written.
 *
 * <p>Backpressure: messages received and not yet answered are counted, every kind (a
 * CheckpointCompleted is answered once the rule executor has handled it), and so are their bytes
 * (their estimated heap, charged by the pipeline's {@link InputAccount}); at {@code
 * sidecar.session.max-pending-batches} messages or {@code sidecar.session.max-pending-bytes} the
 * session stops reading its socket until half of that is answered. Nothing waits on a lock: rule
 * code runs on the session's {@link SerialExecutor}, and writes from there are queued to the event
 * loop in the order they are made.
 *
 * <p>Bounds on the connection: a connection beyond {@code sidecar.transport.max-connections} is
 * refused; before its Hello a session accepts only a frame of {@value #HELLO_MAX_FRAME_BYTES}
 * bytes, and one that sends no Hello within {@code sidecar.session.hello-timeout} is closed. An
 * open session that sends nothing is not timed out: a job may be idle for long, and a client that
 * went away closed its socket. Each EventBatch's columns are checked on receipt ({@link
 * BatchColumns}).
 *
 * <p>Sequence numbers and checkpoint ids are unsigned 64-bit numbers: compared and printed as such.
 *
 * <p>Threads: the {@code channel*}, {@code exceptionCaught} and {@code on*} methods and every field
 * not marked otherwise belong to the channel's event loop; the work of the right-hand column runs
 * on the rule executor in {@link SessionRules}, which owns the rule engine; {@link #drain} may be
 * called from any thread.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);

    /** The largest frame before the Hello: a Hello is a few short strings and numbers. */
    static final int HELLO_MAX_FRAME_BYTES = 64 * 1024;

    private enum State {
        AWAITING_HELLO,
        OPEN,
        CLOSING,
        CLOSED
    }

    private final Sessions sessions;
    private final String id;
    private final SerialExecutor rules;

    /**
     * Counts batches, events in flight, bytes and window state; {@link SessionMeters#NONE} when
     * metrics are off.
     */
    private final SessionMeters meters;

    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** Listens on each answer written; runs on the event loop. */
    final ChannelFutureListener answered = future -> onAnswered();

    private ChannelHandlerContext ctx;

    /** The bytes this connection's input holds, and the switch of its reading. */
    private InputAccount input;

    private ScheduledFuture<?> helloTimer;

    /** Refused for the session cap: it never counted as live, and it logs no line of its own. */
    private boolean overCap;

    /** Set in {@link #handlerAdded}; its methods run on the rule executor, but for {@code stop}. */
    private SessionRules ruleWork;

    private State state = State.AWAITING_HELLO;
    private long nextSequence = 1;
    private long lastBarrier;
    private boolean keyedState;

    /**
     * Messages received whose answer is not yet written: Hello, batches, barriers, StateRestores.
     */
    private int pending;

    private boolean draining;
    private boolean readPaused;
    private long batches;
    private long events;

    /** From the Hello, for the log lines of the session's life. */
    private String client = "no Hello";

    /** Why the session closed, for its last log line; null: the client closed the connection. */
    private String closeReason;

    SessionHandler(Sessions sessions, String id, SerialExecutor rules, SessionMeters meters) {
        this.sessions = sessions;
        this.id = id;
        this.rules = rules;
        this.meters = meters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.input = InputAccount.of(ctx.channel());
        this.ruleWork = new SessionRules(this, ctx, sessions, id, meters, rules);
        if (meters.enabled()) {
            ctx.pipeline().addFirst("bytes", new ByteCounter(meters));
        }
        frameLimit(
                Math.min(HELLO_MAX_FRAME_BYTES, sessions.maxFrameBytes()),
                "the limit before a session's Hello");
    }

    private void frameLimit(int bytes, String setting) {
        FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
        if (frames != null) {
            frames.maxFrameBytes(bytes, setting);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!sessions.register(this)) {
            refuseOverCap();
            return;
        }
        startHelloTimer();
        ctx.fireChannelActive();
    }

    /**
     * Refuses a connection beyond {@code sidecar.transport.max-connections}, logging it sparingly.
     */
    private void refuseOverCap() {
        overCap = true;
        String reason =
                "the sidecar serves at most "
                        + sessions.maxSessions()
                        + " sessions at once (sidecar.transport.max-connections), and that many are open";
        sessions.refusedOverCap(reason);
        closeReason = "refused: " + reason;
        state = State.CLOSED;
        input.pause(InputAccount.Pause.STOPPED);
        ctx.writeAndFlush(ServerMessages.refusal(reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection if no Hello came within {@code sidecar.session.hello-timeout}. */
    private void startHelloTimer() {
        Duration timeout = sessions.helloTimeout();
        if (timeout.isZero()) {
            return;
        }
        helloTimer =
                ctx.executor()
                        .schedule(
                                () -> {
                                    if (state == State.AWAITING_HELLO) {
                                        fail(
                                                ServerMessages.PROTOCOL,
                                                "no Hello within "
                                                        + Durations.format(timeout)
                                                        + " of connecting (sidecar.session.hello-timeout)",
                                                0);
                                    }
                                },
                                timeout.toNanos(),
                                TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSING || state == State.CLOSED) {
            input.answered(); // dropped unread
            return;
        }
        if (msg instanceof EventBatchColumns) {
            onEvents((EventBatchColumns) msg); // the pipeline read the batch from its bytes
            return;
        }
        ClientMessage message = (ClientMessage) msg;
        switch (message.getKindCase()) {
            case HELLO:
                onHello(message.getHello());
                break;
            case EVENTS:
                onEvents(columns(message));
                break;
            case GOODBYE:
                onGoodbye(message.getGoodbye());
                break;
            case CHECKPOINT_BARRIER:
                onBarrier(message.getCheckpointBarrier());
                break;
            case CHECKPOINT_COMPLETED:
                onCompleted(message.getCheckpointCompleted().getCheckpointId());
                break;
            case STATE_RESTORE:
                onRestore(message.getStateRestore());
                break;
            default:
                fail(ServerMessages.PROTOCOL, "received a ClientMessage with no content", 0);
        }
    }

    private void onHello(Hello hello) {
        if (state != State.AWAITING_HELLO) {
            fail(ServerMessages.PROTOCOL, "received a second Hello", 0);
            return;
        }
        if (hello.getProtocolVersion() != Protocol.VERSION) {
            refuse(
                    "protocol version "
                            + hello.getProtocolVersion()
                            + " is not supported (supported: "
                            + Protocol.VERSION
                            + ")");
            return;
        }
        if (hello.getKeyedState() && !hello.getCheckpointBarriers()) {
            refuse(
                    "keyed_state needs checkpoint_barriers: the sidecar sends a session's changed state at its checkpoint barriers");
            return;
        }
        state = State.OPEN;
        cancelHelloTimer();
        frameLimit(sessions.maxFrameBytes(), "sidecar.transport.max-frame-bytes");
        client =
                "subtask "
                        + hello.getSubtaskIndex()
                        + "/"
                        + hello.getParallelism()
                        + " of task '"
                        + hello.getOperatorName()
                        + "' of job '"
                        + hello.getJobName()
                        + "'";
        meters.open(hello.getSubtaskIndex(), hello.getOperatorName());
        // a client that reconnects after a broken session continues its own numbering
        nextSequence = hello.getFirstSequence() == 0 ? 1 : hello.getFirstSequence();
        keyedState = hello.getKeyedState();
        pending++;
        rules.execute(() -> ruleWork.open(hello));
    }

    private void cancelHelloTimer() {
        if (helloTimer != null) {
            helloTimer.cancel(false);
            helloTimer = null;
        }
    }

    private void refuse(String reason) {
        LOG.warn("{}: refused: {}", id, reason);
        closeReason = "refused: " + reason;
        state = State.CLOSED;
        input.pause(InputAccount.Pause.STOPPED);
        ctx.writeAndFlush(ServerMessages.refusal(reason)).addListener(ChannelFutureListener.CLOSE);
    }

    private void onRestore(StateRestore restore) {
        if (state != State.OPEN) {
            fail(ServerMessages.PROTOCOL, "received a StateRestore before Hello", 0);
            return;
        }
        if (!keyedState) {
            fail(
                    ServerMessages.PROTOCOL,
                    "received a StateRestore in a session without keyed state (Hello.keyed_state is false)",
                    0);
            return;
        }
        if (batches > 0) {
            fail(
                    ServerMessages.PROTOCOL,
                    "received a StateRestore after EventBatch "
                            + Long.toUnsignedString(nextSequence - 1)
                            + "; a restored session sends its state right after Welcome, before its first EventBatch",
                    0);
            return;
        }
        countPending();
        rules.execute(() -> ruleWork.restore(restore));
    }

    /** The columns of a batch the pipeline parsed as a whole message (a frame of unusual shape). */
    private static EventBatchColumns columns(ClientMessage message) {
        try {
            return EventBatchColumns.read(message.getEvents().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a parsed batch's bytes do not read back", e);
        }
    }

    private void onEvents(EventBatchColumns batch) {
        if (state != State.OPEN) {
            fail(ServerMessages.PROTOCOL, "received an EventBatch before Hello", batch.sequence());
            return;
        }
        if (batch.sequence() != nextSequence) {
            fail(
                    ServerMessages.PROTOCOL,
                    "received EventBatch "
                            + Long.toUnsignedString(batch.sequence())
                            + ", expected "
                            + Long.toUnsignedString(nextSequence),
                    batch.sequence());
            return;
        }
        String malformed = BatchColumns.problem(batch);
        if (malformed != null) {
            fail(
                    ServerMessages.MALFORMED_FRAME,
                    "EventBatch "
                            + Long.toUnsignedString(batch.sequence())
                            + " is malformed: "
                            + malformed,
                    batch.sequence());
            return;
        }
        nextSequence++;
        batches++;
        events += batch.size();
        meters.batch(batch.size());
        countPending();
        rules.execute(() -> ruleWork.answer(batch));
    }

    /** One more message to answer; at a bound, stop reading until answers are written. */
    private void countPending() {
        pending++;
        if (!readPaused && overBounds()) {
            readPaused = true;
            input.pause(InputAccount.Pause.BACKPRESSURE);
        }
    }

    private boolean overBounds() {
        return pending >= sessions.maxPendingBatches()
                || input.pendingBytes() >= sessions.maxPendingBytes();
    }

    /**
     * Reading goes on once half the input in hand is answered, not at the first answer: a client
     * that floods small messages would otherwise switch reading off and on at every message.
     */
    private boolean belowHalfBounds() {
        return pending <= sessions.maxPendingBatches() / 2
                && input.pendingBytes() <= sessions.maxPendingBytes() / 2;
    }

    private void onBarrier(CheckpointBarrier barrier) {
        long id = barrier.getCheckpointId();
        if (state != State.OPEN) {
            fail(ServerMessages.PROTOCOL, "received a CheckpointBarrier before Hello", 0);
            return;
        }
        if (Long.compareUnsigned(id, lastBarrier) <= 0) {
            fail(
                    ServerMessages.PROTOCOL,
                    "received CheckpointBarrier "
                            + Long.toUnsignedString(id)
                            + " after CheckpointBarrier "
                            + Long.toUnsignedString(lastBarrier)
                            + "; checkpoint ids must increase",
                    0);
            return;
        }
        lastBarrier = id;
        countPending();
        rules.execute(() -> ruleWork.acknowledge(id));
    }

    private void onCompleted(long checkpointId) {
        if (state != State.OPEN) {
            fail(ServerMessages.PROTOCOL, "received a CheckpointCompleted before Hello", 0);
            return;
        }
        countPending();
        rules.execute(() -> ruleWork.completed(checkpointId));
    }

    private void onGoodbye(Goodbye goodbye) {
        LOG.info(
                "{}: goodbye ({}), answering {} batches in flight",
                id,
                goodbye.getReason(),
                pending);
        closeReason = "the client said goodbye (" + goodbye.getReason() + ")";
        state = State.CLOSING;
        input.answered(); // a Goodbye needs no answer
        closeIfAnswered();
    }

    /**
     * Event loop: one answer is written (or, for a StateRestore with nothing dropped and a
     * CheckpointCompleted, needs none).
     */
    void onAnswered() {
        pending--;
        input.answered();
        if (readPaused && state == State.OPEN && !draining && belowHalfBounds()) {
            readPaused = false;
            input.resume(InputAccount.Pause.BACKPRESSURE);
        }
        closeIfAnswered();
    }

    private void closeIfAnswered() {
        if (pending > 0) {
            return;
        }
        if (state == State.CLOSING) {
            state = State.CLOSED;
            ctx.close();
        } else if (draining && state != State.CLOSED) {
            fail(ServerMessages.SHUTDOWN, "the sidecar is shutting down", 0);
        }
    }

    /**
     * Stops reading, lets the batches received so far be answered, then closes the session with an
     * {@code Error} (code {@code SHUTDOWN}). Any thread.
     *
     * @return completes when the session is closed and its rule instances are closed
     */
    CompletableFuture<Void> drain() {
        ctx.executor()
                .execute(
                        () -> {
                            draining = true;
                            input.pause(InputAccount.Pause.STOPPED);
                            closeIfAnswered();
                        });
        return closed;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            fail(ServerMessages.FRAME_TOO_LARGE, cause.getMessage(), 0);
        } else if (cause instanceof FrameTimeoutException) {
            fail(ServerMessages.PROTOCOL, cause.getMessage(), 0);
        } else if (cause instanceof DecoderException) {
            Throwable root = cause.getCause() != null ? cause.getCause() : cause;
            fail(
                    ServerMessages.MALFORMED_FRAME,
                    "a frame is not a valid ClientMessage: " + root.getMessage(),
                    0);
        } else if (cause instanceof IOException) {
            LOG.info("{}: connection lost: {}", id, cause.getMessage());
            closeReason = "connection lost: " + cause.getMessage();
            ctx.close();
        } else {
            LOG.error("{}: internal error", id, cause);
            fail(ServerMessages.INTERNAL, cause.toString(), 0);
        }
    }

    /** Any thread: {@link #fail} on the event loop. */
    void failLater(String code, String message, long sequence) {
        ctx.executor().execute(() -> fail(code, message, sequence));
    }

    /** Sends a fatal Error and closes the session; later input is ignored. */
    private void fail(String code, String message, long sequence) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closeReason =
                ServerMessages.SHUTDOWN.equals(code) ? message : "error " + code + ": " + message;
        if (ServerMessages.SHUTDOWN.equals(code)) {
            LOG.info("{}: closing: {}", id, message);
        } else {
            LOG.warn("{}: closing after {}: {}", id, code, message);
        }
        input.pause(InputAccount.Pause.STOPPED);
        ctx.writeAndFlush(ServerMessages.error(code, message, sequence, true))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cancelHelloTimer();
        input.close();
        ruleWork.stop();
        sessions.unregister(this);
        meters.close();
        if (overCap) {
            ctx.fireChannelInactive();
            return;
        }
        LOG.info(
                "{}: closed ({}): {}; after {} batches, {} events",
                id,
                client,
                closeReason == null ? "the client closed the connection" : closeReason,
                batches,
                events);
        rules.execute(
                () -> {
                    try {
                        ruleWork.close();
                    } finally {
                        closed.complete(null);
                    }
                });
        ctx.fireChannelInactive();
    }
}
