package dev.flinksidecar.sidecar.session;

import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.StateRestore;
import dev.flinksidecar.proto.Welcome;
import dev.flinksidecar.sidecar.metrics.SessionMeters;
import dev.flinksidecar.sidecar.rules.running.AbandonedCall;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.shadow.SessionShadows;
import dev.flinksidecar.sidecar.shadow.Shadows;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule-executor half of one session: owns the session's {@link RuleEngine} and does every piece
 * of work its {@link SessionHandler} hands to the rule executor (the right-hand column of the
 * handler's diagram): open the rules and welcome the client, answer batches, restore keyed state,
 * switch versions and write state at barriers, let old versions go at completed checkpoints, close.
 *
 * <p>Each answer is written with {@link SessionHandler#answered} as its listener, so the handler
 * counts it down on the event loop; a failure goes back to the event loop through {@link
 * SessionHandler#failLater}.
 *
 * <p>Threads: every method but {@link #stop} runs on the session's rule executor (its {@link
 * SerialExecutor}, so one at a time and each after the one before), and so do the fields not marked
 * otherwise; {@link #stop} runs on the event loop.
 */
final class SessionRules {

    /** The handler's logger, so a session's log lines keep one category. */
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);

    private final SessionHandler session;
    private final ChannelHandlerContext ctx;
    private final Sessions sessions;
    private final String id;
    private final SessionMeters meters;
    private final SerialExecutor executor;

    /** The batch being answered, for the thread that finishes it if the watchdog abandons ours. */
    private EventBatchColumns current;

    /** Set on the event loop when the connection closes; the tasks here then skip their work. */
    private volatile boolean stopped;

    private RuleEngine engine;

    /** The candidates this session runs in shadow; null without a registry of versions. */
    private SessionShadows shadows;

    /** The session keeps keyed state, so barriers write StateDeltas. */
    private boolean snapshots;

    /** From the Hello: the client's frame limit, 0 when it named none. */
    private int clientMaxFrameBytes;

    SessionRules(
            SessionHandler session,
            ChannelHandlerContext ctx,
            Sessions sessions,
            String id,
            SessionMeters meters,
            SerialExecutor executor) {
        this.executor = executor;
        this.session = session;
        this.ctx = ctx;
        this.sessions = sessions;
        this.id = id;
        this.meters = meters;
    }

    /** Event loop: the connection is closed; tasks not yet run skip their work. */
    void stop() {
        stopped = true;
    }

    /** Opens this session's rule instances and welcomes the client. */
    void open(Hello hello) {
        clientMaxFrameBytes = hello.getMaxFrameBytes();
        if (stopped) {
            return;
        }
        snapshots = hello.getKeyedState();
        engine =
                RuleEngine.open(
                        sessions.rules()
                                .open(
                                        id,
                                        hello.getCheckpointBarriers(),
                                        hello.getRestoredCheckpointId()),
                        id,
                        snapshots,
                        sessions.quarantines());
        Shadows candidates = sessions.rules().shadows();
        if (candidates != null) {
            shadows =
                    candidates.open(
                            id,
                            hello.getCheckpointBarriers(),
                            sessions.watchdog(),
                            hello.getShadowReports() ? this::sendShadowReport : report -> {});
        }
        if (sessions.watchdog() != null) {
            engine.abandonable(stuck -> executor.takeOver(stuck, () -> finishAbandoned(current)));
            sessions.watchdog().watch(engine);
        }
        LOG.info(
                "{}: opened for job '{}' operator '{}' subtask {}/{}, rules [{}]",
                id,
                hello.getJobName(),
                hello.getOperatorName(),
                hello.getSubtaskIndex(),
                hello.getParallelism(),
                engine.rules().stream()
                        .map(r -> r.getId() + "@" + r.getVersion())
                        .collect(Collectors.joining(", ")));
        Welcome welcome =
                Welcome.newBuilder()
                        .setProtocolVersion(Protocol.VERSION)
                        .setSidecarVersion(sessions.sidecarVersion())
                        .setSessionId(id)
                        .addAllRules(engine.rules())
                        .setMaxFrameBytes(sessions.maxFrameBytes())
                        .build();
        ctx.writeAndFlush(ServerMessage.newBuilder().setWelcome(welcome).build())
                .addListener(session.answered);
    }

    /**
     * Runs one batch through the rules and writes its answer; its events are no longer in flight
     * then.
     */
    void answer(EventBatchColumns batch) {
        current = batch;
        try {
            if (!stopped) {
                write(batch, () -> engine.process(batch));
            }
        } catch (AbandonedCall e) {
            throw e; // the thread that takes the batch over answers it
        } catch (Throwable e) {
            meters.answered(batch.size());
            throw e;
        }
        meters.answered(batch.size());
    }

    /**
     * On the thread that takes over from one the watchdog abandoned in a rule: finishes the batch
     * and answers it.
     */
    private void finishAbandoned(EventBatchColumns batch) {
        try {
            write(batch, engine::resume);
        } finally {
            meters.answered(batch.size());
        }
    }

    /** Answers {@code batch} with what {@code results} makes of it. */
    private void write(EventBatchColumns batch, Supplier<ResultBatch> results) {
        ServerMessage message;
        try {
            message = ServerMessage.newBuilder().setResults(results.get()).build();
        } catch (IllegalArgumentException e) {
            session.failLater(
                    ServerMessages.MALFORMED_FRAME,
                    "EventBatch "
                            + Long.toUnsignedString(batch.sequence())
                            + " is malformed: "
                            + e.getMessage(),
                    batch.sequence());
            return;
        } catch (RuntimeException e) {
            LOG.error(
                    "{}: internal error on EventBatch {}",
                    id,
                    Long.toUnsignedString(batch.sequence()),
                    e);
            session.failLater(ServerMessages.INTERNAL, e.toString(), batch.sequence());
            return;
        }
        int limit = clientMaxFrameBytes;
        if (limit > 0 && message.getSerializedSize() > limit) {
            session.failLater(
                    ServerMessages.FRAME_TOO_LARGE,
                    "the results of EventBatch "
                            + Long.toUnsignedString(batch.sequence())
                            + " take "
                            + message.getSerializedSize()
                            + " bytes, over the client's max_frame_bytes "
                            + limit
                            + "; send smaller batches",
                    batch.sequence());
            return;
        }
        if (meters.enabled()) {
            meters.windows(engine.openWindows(), engine.windowKeys());
        }
        ctx.writeAndFlush(message).addListener(session.answered);
        if (shadows != null) {
            shadows.batch(batch, message.getResults());
        }
    }

    /**
     * A shadow's thread: sends a candidate's differences, outside the order of answers and not
     * counted as one (the client asked for them in its Hello).
     */
    private void sendShadowReport(ShadowReport report) {
        if (!stopped) {
            ctx.writeAndFlush(ServerMessage.newBuilder().setShadowReport(report).build());
        }
    }

    /** Restores the keys of one StateRestore; each key (or part) dropped gets a non-fatal Error. */
    void restore(StateRestore restore) {
        if (stopped) {
            return;
        }
        List<String> dropped;
        try {
            dropped = engine.restore(restore.getKeysList());
        } catch (RuntimeException e) {
            LOG.error("{}: internal error on StateRestore", id, e);
            session.failLater(ServerMessages.INTERNAL, e.toString(), 0);
            return;
        }
        if (meters.enabled()) {
            meters.windows(engine.openWindows(), engine.windowKeys());
        }
        if (dropped.isEmpty()) {
            LOG.debug("{}: restored the state of {} keys", id, restore.getKeysCount());
            ctx.executor().execute(session::onAnswered);
            return;
        }
        LOG.warn(
                "{}: restored the state of {} keys, with {} drops (a key's state, or a rule's part of it); the first: {}",
                id,
                restore.getKeysCount(),
                dropped.size(),
                dropped.get(0));
        for (int i = 0; i < dropped.size(); i++) {
            ServerMessage error =
                    ServerMessages.error(ServerMessages.STATE, dropped.get(i), 0, false);
            if (i < dropped.size() - 1) {
                ctx.write(error);
            } else {
                ctx.writeAndFlush(error).addListener(session.answered);
            }
        }
    }

    /**
     * Switches the versions staged for this checkpoint; with keyed state writes the state of the
     * keys changed since the last barrier; then acknowledges the barrier.
     */
    void acknowledge(long checkpointId) {
        if (stopped) {
            return;
        }
        CheckpointAck ack;
        try {
            ack =
                    CheckpointAck.newBuilder()
                            .setCheckpointId(checkpointId)
                            .addAllRules(engine.barrier(checkpointId))
                            .build();
            if (shadows != null) {
                shadows.barrier(checkpointId, engine);
            }
            if (snapshots) {
                StateDeltas deltas = new StateDeltas(checkpointId, clientMaxFrameBytes, ctx::write);
                engine.snapshot(deltas::add);
                deltas.finish();
                meters.checkpointState(deltas.bytes());
            }
        } catch (StateDeltas.TooLarge e) {
            session.failLater(ServerMessages.FRAME_TOO_LARGE, e.getMessage(), 0);
            return;
        } catch (IOException e) {
            session.failLater(
                    ServerMessages.STATE,
                    "the state of checkpoint "
                            + Long.toUnsignedString(checkpointId)
                            + " could not be written: "
                            + e.getMessage(),
                    0);
            return;
        } catch (RuntimeException e) {
            LOG.error(
                    "{}: internal error at CheckpointBarrier {}",
                    id,
                    Long.toUnsignedString(checkpointId),
                    e);
            session.failLater(ServerMessages.INTERNAL, e.toString(), 0);
            return;
        }
        ctx.writeAndFlush(ServerMessage.newBuilder().setCheckpointAck(ack).build())
                .addListener(session.answered);
    }

    /**
     * Lets go of the versions checkpoint {@code checkpointId} no longer needs. Sends nothing, but
     * counts as answered, so a flood of them is bounded like any other input.
     */
    void completed(long checkpointId) {
        try {
            if (!stopped && engine != null) {
                engine.completed(checkpointId);
            }
        } finally {
            ctx.executor().execute(session::onAnswered);
        }
    }

    /** Closes the rule instances, if the session opened any. */
    void close() {
        if (shadows != null) {
            shadows.close();
        }
        if (engine != null) {
            if (sessions.watchdog() != null) {
                sessions.watchdog().unwatch(engine);
            }
            engine.close();
        }
    }
}
