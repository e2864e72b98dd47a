package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.StateDelta;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed sidecar operator: ships events and watermarks to the sidecar in batches and emits its
 * results, in input order, with watermarks held back until the results before them are out.
 *
 * <pre>
 *  processElement  ─┐
 *  processWatermark ┴► open batch ──(nothing in flight │ batch full and a slot free │ max-delay timer
 *                         │ a reply frees a slot │ status change │ checkpoint │ end of input)──►
 *                    in flight [seq n, n+1, ...]  (≤ max-in-flight-batches, ≤ max-in-flight-bytes)
 *                                                  │ runner reader thread: decode, post mail
 *  mailbox ◄─ reply seq n: send the open batch if a slot is free, then emit results, dead letters,
 *             late events and the batch's watermarks in stream order ({@link ReplyEmitter})
 * </pre>
 *
 * <p><b>Watermarks travel in band.</b> A watermark joins the open batch at its place between the
 * events (an interim watermark, see event.proto) and is batched like an event: it does not cut the
 * batch, so with a watermark after every event ({@code --deterministic-watermarks}) batches still
 * fill up. A subtask that gets no events still sends its watermarks (batches without events), so
 * windows of idle keys fire. Downstream, each watermark is emitted only after the results of
 * everything before it. A watermark status change (idle/active) ends the open batch and is emitted
 * after its results, so no held-back watermark is emitted while the output is announced idle (Flink
 * would drop it). The final watermark ({@code Long.MAX_VALUE}, at the end of input) fires every
 * open window; end of input waits for its answer. An input that ends idle (every Kafka partition
 * quiet for the idle timeout, then a drain) never brings it, as Flink's idle outputs drop
 * watermarks: end of input then marks the output active and sends it itself.
 *
 * <p><b>Batching is adaptive, and backpressure needs no queue</b>: see {@link BatchSender}, which
 * keeps the open batch and the batches in flight. Replies arrive only as mails, so all state here
 * is touched by the task thread alone, and no lock is shared with the reader thread.
 *
 * <p><b>Checkpoints</b> stay exact without operator state: before the barrier the open batch is
 * sent and every reply is awaited and emitted. When the job checkpoints, the barrier then goes to
 * the sidecar too ({@code CheckpointBarrier}) and its acknowledgement is awaited: windowed rule
 * versions staged before checkpoint N become active right after barrier N, on every subtask at the
 * same point of the stream. A subtask restored from checkpoint C says so in its Hello, so the
 * sidecar starts it with the versions that were active right after barrier C, and the events Flink
 * reads again after a failure meet the versions of the first run. Completed checkpoints are
 * reported ({@code CheckpointCompleted}), so the sidecar can unload versions no restore can need.
 *
 * <p><b>Window state is Flink keyed state.</b> With each barrier's acknowledgement the sidecar
 * sends the windowed state of every key that changed since the previous barrier; the operator
 * writes it into {@link SidecarKeyedState} before the snapshot, so it is part of the checkpoint,
 * split by key group like any keyed state. A restored subtask hands its keys' state to the sidecar
 * before its first event.
 *
 * <p><b>A broken session is not a failure.</b> When the session breaks (the sidecar crashed or
 * restarted, or answered nothing for answer-timeout), {@link SessionRecovery} opens a new one
 * standing where the last acknowledged barrier stood and sends the batches since again; only when
 * that cannot work does the task fail, and Flink's own recovery takes over.
 *
 * <p>Every method runs on the task thread.
 */
public final class SidecarOperator extends AbstractStreamOperator<ResultRecord>
        implements OneInputStreamOperator<EventRecord, ResultRecord>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /**
     * Its own logger (hiding the superclass's), so that a log configuration can select the
     * operator's lines: one per session opened, broken, reopened and closed, and per change of rule
     * versions at a barrier; never one per event or batch.
     */
    private static final Logger LOG = LoggerFactory.getLogger(SidecarOperator.class);

    /** Side output: dead letters as JSON lines ({@code DeadLetters.ruleFailure}). */
    public static final OutputTag<String> DEAD_LETTERS =
            new OutputTag<>("sidecar-dead-letters", Types.STRING);

    /**
     * Side output: events a windowed rule dropped as late, as JSON lines ({@code LateEvents.line}).
     */
    public static final OutputTag<String> LATE_EVENTS =
            new OutputTag<>("sidecar-late-events", Types.STRING);

    /**
     * Side output: the differences of rule versions in shadow ({@code sidecar admin shadow}) from
     * the active versions, as JSON lines ({@link ShadowLines}); not results, and not exact across
     * failures (a report may be lost or come twice).
     */
    public static final OutputTag<String> SHADOW_DIFFERENCES =
            new OutputTag<>("sidecar-shadow", Types.STRING);

    private final SidecarOperatorOptions options;
    private final SidecarRunnerFactory runnerFactory;
    private final transient MailboxExecutor mailbox;

    private transient SidecarRunner runner;

    /**
     * The open batch and the batches in flight; null until {@link #open()} has opened the session.
     */
    private transient BatchSender batches;

    private transient boolean finished;
    private transient OperatorMetrics metrics;
    private transient SessionRecovery recovery;

    /** The socket this subtask talks to, for the log. */
    private transient String socketPath;

    private transient ReplyEmitter emitter;

    /** Whether the job checkpoints, so barriers go to the sidecar. */
    private transient boolean checkpointBarriers;

    /** The checkpoint this subtask restored from, 0 when it started fresh. */
    private transient long restoredCheckpointId;

    /** The checkpoint whose barrier the sidecar has yet to acknowledge, 0 when none. */
    private transient long awaitedAck;

    /** Whether more input waits for this task: {@link InputBacklog} of its input gates. */
    private transient BooleanSupplier inputBacklog;

    /** The rule versions the sidecar named at the last acknowledged barrier, for the log. */
    private transient List<RuleRef> rulesAtLastBarrier;

    /** Where the sidecar's window state lives in Flink; null when the job does not checkpoint. */
    private transient SidecarKeyedState keyedState;

    /** Whether Flink restored this subtask's state (from a checkpoint or savepoint). */
    private transient boolean restored;

    /** Whether the input's last watermark status was idle. */
    private transient boolean inputIdle;

    /** Whether the final watermark ({@code Long.MAX_VALUE}) was sent to the sidecar. */
    private transient boolean finalWatermarkSent;

    SidecarOperator(
            StreamOperatorParameters<ResultRecord> parameters,
            SidecarOperatorOptions options,
            SidecarRunnerFactory runnerFactory) {
        super(parameters);
        this.options = options;
        this.runnerFactory = runnerFactory;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
        restoredCheckpointId = context.getRestoredCheckpointId().orElse(0L);
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (inputBacklog == null) {
            inputBacklog = InputBacklog.of(getContainingTask().getEnvironment());
        }
        checkpointBarriers = checkpointingEnabled();
        keyedState =
                checkpointBarriers
                        ? SidecarKeyedState.register(getRuntimeContext(), getKeyedStateBackend())
                        : null;
        metrics =
                OperatorMetrics.register(
                        getMetricGroup(),
                        options.get(SidecarOperatorOptions.LATENCY_SAMPLE_INTERVAL),
                        () -> batches == null ? 0L : batches.inFlightCount(),
                        () -> batches == null ? 0L : batches.inFlightBytes(),
                        () -> runner == null ? 0L : runner.resendLog().bytesSinceBarrier());
        emitter =
                new ReplyEmitter(
                        output,
                        super::processWatermark,
                        DEAD_LETTERS,
                        LATE_EVENTS,
                        metrics.results,
                        metrics.deadLetters,
                        metrics.lateEvents);

        Configuration taskManager =
                getContainingTask().getEnvironment().getTaskManagerInfo().getConfiguration();
        SidecarOperatorOptions effective = options.onTaskManager(taskManager);
        socketPath = effective.get(SidecarOperatorOptions.SOCKET_PATH);
        runner = runnerFactory.create(effective);
        recovery =
                new SessionRecovery(
                        new RecoveryHooks(),
                        runner,
                        keyedState,
                        getProcessingTimeService(),
                        metrics,
                        options.get(SidecarOperatorOptions.ANSWER_TIMEOUT).toMillis(),
                        restoredCheckpointId,
                        subtask(),
                        socketPath);
        SessionInfo session = runner.open(hello(), new MailboxReplyHandler(recovery.generation()));
        if (keyedState != null && restored) {
            keyedState.withEveryKey(runner::restore);
        }
        recovery.opened(session);
        long batchBytes = options.get(SidecarOperatorOptions.BATCH_MAX_BYTES).getBytes();
        long maxBatchBytes =
                session.maxFrameBytes() > 0
                        ? Math.min(batchBytes, session.maxFrameBytes() / 2)
                        : batchBytes;
        batches =
                new BatchSender(
                        runner,
                        metrics,
                        recovery,
                        getProcessingTimeService(),
                        mailbox,
                        () -> awaitedAck != 0,
                        () -> inputBacklog.getAsBoolean(),
                        options,
                        maxBatchBytes);
        rulesAtLastBarrier = session.rules();
        LOG.info(
                "Subtask {}: sidecar session {} open on {} ({}; sidecar {}, rules {}), batches of at most {} events"
                        + " / {} bytes, {} in flight, checkpoint barriers {}, restored from checkpoint {}",
                subtask(),
                session.sessionId(),
                socketPath,
                options.socketPathOrigin(taskManager),
                session.sidecarVersion(),
                RuleVersions.describe(session.rules()),
                options.get(SidecarOperatorOptions.BATCH_MAX_EVENTS),
                maxBatchBytes,
                options.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BATCHES),
                checkpointBarriers ? "on" : "off",
                restoredCheckpointId);
    }

    /** Replaces the task's {@link InputBacklog}: tests decide when input waits. */
    @VisibleForTesting
    void inputBacklog(BooleanSupplier backlog) {
        inputBacklog = backlog;
    }

    /** Whether the job has periodic checkpoints (its configuration names a positive interval). */
    private boolean checkpointingEnabled() {
        return getContainingTask()
                .getEnvironment()
                .getJobConfiguration()
                .getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .filter(interval -> !interval.isZero() && !interval.isNegative())
                .isPresent();
    }

    private Hello.Builder hello() {
        var task = getRuntimeContext().getTaskInfo();
        var job = getRuntimeContext().getJobInfo();
        return Hello.newBuilder()
                .setJobId(job.getJobId().toHexString())
                .setJobName(job.getJobName())
                .setOperatorId(getOperatorID().toHexString())
                .setOperatorName(getOperatorName())
                .setSubtaskIndex(task.getIndexOfThisSubtask())
                .setParallelism(task.getNumberOfParallelSubtasks())
                .setMaxParallelism(task.getMaxNumberOfParallelSubtasks())
                .setAttemptNumber(task.getAttemptNumber())
                .setCheckpointBarriers(checkpointBarriers)
                .setShadowReports(true)
                .setKeyedState(keyedState != null)
                .setRestoredCheckpointId(recovery.restoreFrom());
    }

    @Override
    public void processElement(StreamRecord<EventRecord> element) throws Exception {
        EventRecord event = element.getValue();
        runner.process(event);
        batches.event(event, metrics.latency.sample());
    }

    /**
     * Forwards the watermark to the sidecar in band, after the events before it; emits it
     * downstream later.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        finalWatermarkSent |= mark.getTimestamp() == Long.MAX_VALUE;
        runner.watermark(mark.getTimestamp());
        recovery.watermarkSent(mark.getTimestamp());
        batches.watermark(mark.getTimestamp());
    }

    /**
     * Emits the status change after the results of everything before it (at once when nothing is
     * pending).
     */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        inputIdle = status.isIdle();
        if (batches.idle()) {
            super.processWatermarkStatus(status);
            return;
        }
        batches.status(status);
    }

    /**
     * Sends and emits everything before the barrier, then passes the barrier to the sidecar and
     * waits for its acknowledgement (which follows every answer before it).
     */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        batches.drain();
        if (checkpointBarriers && !finished) {
            batches.outstanding();
            runner.barrier(checkpointId);
            awaitedAck = checkpointId;
            recovery.barrierSent();
            while (awaitedAck != 0) {
                batches.awaitMail();
            }
        }
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (checkpointBarriers && !finished) {
            runner.checkpointCompleted(checkpointId);
        }
    }

    /**
     * Sends and emits everything before the end; the final watermark too when the input ended idle
     * without it.
     */
    @Override
    public void endInput() throws Exception {
        batches.drain();
        if (inputIdle && !finalWatermarkSent) {
            LOG.info(
                    "Subtask {}: the input ended idle, without the final watermark; sending it, so that every open"
                            + " window fires",
                    subtask());
            super.processWatermarkStatus(WatermarkStatus.ACTIVE);
            processWatermark(Watermark.MAX_WATERMARK);
            batches.drain();
        }
    }

    @Override
    public void finish() throws Exception {
        batches.drain();
        if (!finished) {
            finished = true;
            runner.finish("end of input");
            metrics.latency.publish(getRuntimeContext());
            LOG.info(
                    "Subtask {}: sidecar session {} on {} closed at the end of input: {}",
                    subtask(),
                    recovery.sessionId(),
                    socketPath,
                    metrics.summary());
        }
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (runner != null) {
                runner.close();
                if (!finished && recovery != null && recovery.sessionId() != null) {
                    LOG.info(
                            "Subtask {}: sidecar session {} on {} closed before the end of input (the task was"
                                    + " cancelled or failed): {}",
                            subtask(),
                            recovery.sessionId(),
                            socketPath,
                            metrics.summary());
                }
            }
        } finally {
            super.close();
        }
    }

    /**
     * Sends the open batch if the freed slot allows, then emits the answered batch with its
     * watermarks: the sidecar works on the next batch while this one's results go downstream (the
     * order of the output is that of the answers either way). An answer to a batch already emitted
     * (sent again to a new session) is only checked. Mailbox.
     */
    private void complete(DecodedReply reply, long readNanos) throws Exception {
        recovery.answered();
        if (recovery.alreadyEmitted(reply)) {
            return;
        }
        InFlightBatch batch = batches.answered(reply.sequence());
        batches.sendAfterAnswer();
        emitter.emit(reply, batch);
        recovery.emitted(reply);
        metrics.latency.record(batch.sampleNanos(), batch.sentNanos(), readNanos);
    }

    /**
     * The sidecar acknowledged a checkpoint barrier: writes the window state it sent into keyed
     * state, forgets what a resend no longer needs, and logs the rule versions when they changed.
     * Mailbox.
     */
    private void acknowledged(CheckpointAck ack) throws Exception {
        recovery.answered();
        InFlightBatch unanswered = batches.oldest();
        if (ack.getCheckpointId() != awaitedAck || unanswered != null) {
            throw new SidecarSessionException(
                    "the sidecar acknowledged checkpoint "
                            + ack.getCheckpointId()
                            + (awaitedAck == 0
                                    ? " but no barrier was waiting"
                                    : " but barrier " + awaitedAck + " was next")
                            + (unanswered == null
                                    ? ""
                                    : ", before the answer to batch " + unanswered.sequence()));
        }
        awaitedAck = 0;
        recovery.barrierAcknowledged(ack.getCheckpointId());
        if (!ack.getRulesList().equals(rulesAtLastBarrier)) {
            LOG.info(
                    "Subtask {}: rule versions after checkpoint {}: {}",
                    subtask(),
                    ack.getCheckpointId(),
                    RuleVersions.describe(ack.getRulesList()));
            rulesAtLastBarrier = ack.getRulesList();
        }
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    /** What {@link SessionRecovery} needs of this operator. */
    private final class RecoveryHooks implements SessionRecovery.Operator {

        @Override
        public String awaitedAnswer() {
            InFlightBatch oldest = batches.oldest();
            if (oldest != null) {
                return "batch " + oldest.sequence();
            }
            return awaitedAck != 0 ? "checkpoint barrier " + awaitedAck : null;
        }

        @Override
        public boolean finished() {
            return finished;
        }

        @Override
        public Hello.Builder hello() {
            return SidecarOperator.this.hello();
        }

        @Override
        public ReplyHandler replyHandler(int generation) {
            return new MailboxReplyHandler(generation);
        }
    }

    /** Turns runner callbacks (reader thread) into mails for the task thread. */
    private final class MailboxReplyHandler implements ReplyHandler {

        private final int session;

        MailboxReplyHandler(int session) {
            this.session = session;
        }

        /** Answers are accepted from any session: a batch answered twice is emitted once. */
        @Override
        public void onReply(ResultBatch reply) {
            long read = System.nanoTime();
            DecodedReply decoded = DecodedReply.decode(reply);
            post(() -> complete(decoded, read), "sidecar reply");
        }

        @Override
        public void onStateDelta(StateDelta delta) {
            post(
                    () -> recovery.stateChanges(session, delta.getKeysList()),
                    "sidecar state changes");
        }

        @Override
        public void onCheckpointAck(CheckpointAck ack) {
            post(
                    () -> {
                        if (session == recovery.generation()) {
                            acknowledged(ack);
                        }
                    },
                    "sidecar checkpoint acknowledgement");
        }

        @Override
        public void onShadowReport(ShadowReport report) {
            List<String> lines = ShadowLines.of(report);
            post(
                    () -> {
                        for (String line : lines) {
                            output.collect(SHADOW_DIFFERENCES, new StreamRecord<>(line));
                        }
                    },
                    "sidecar shadow differences");
        }

        @Override
        public void onFailure(Throwable cause) {
            Exception exception =
                    cause instanceof Exception
                            ? (Exception) cause
                            : new SidecarSessionException(cause.toString(), cause);
            post(() -> recovery.sessionBroke(session, exception), "sidecar failure");
        }

        private void post(
                org.apache.flink.util.function.ThrowingRunnable<? extends Exception> mail,
                String name) {
            try {
                mailbox.execute(mail, name);
            } catch (RejectedExecutionException e) {
                LOG.debug("Mailbox closed, dropping {}", name);
            }
        }
    }
}
