package dev.flinksidecar.operator;

import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.KeyState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a subtask's session with the sidecar going when it breaks, for {@link SidecarOperator}.
 *
 * <p><b>A broken session is not a failure.</b> When the session breaks (the sidecar crashed or
 * restarted, or answered nothing for answer-timeout: the watchdog here while the task thread runs
 * its mailbox, the client's write watchdog while it waits in a socket write), a new one is opened:
 * the sidecar gets the keyed state of the last acknowledged barrier and the watermark of that
 * moment, every batch since that barrier is sent again ({@link ResendLog}), the answers already
 * emitted are dropped after checking that they came out the same, and the job goes on. Only when
 * that cannot work (more was sent since the barrier than replay-buffer allows, no sidecar is back
 * within reconnect-timeout, or an answer to a batch sent again differs) does it fail the task, with
 * a message saying which, and Flink's own recovery takes over.
 *
 * <p>For that it keeps the bookkeeping of the last acknowledged barrier: its checkpoint id (where a
 * new session starts), the watermark sent before it, the window-state changes the sidecar sent with
 * its acknowledgement (written into keyed state with it) and the digests of the answers emitted
 * since. Each session has a generation, so that mails of an older, broken session are told apart.
 * Every method runs on the task thread (in mails, for timers and replies).
 */
final class SessionRecovery {

    /** The operator's logger: these lines are the operator's lifecycle (see OPTIONS.md "Logs"). */
    private static final Logger LOG = LoggerFactory.getLogger(SidecarOperator.class);

    /** What recovery needs of its operator. */
    interface Operator {

        /**
         * What waits for the sidecar's answer ("batch 7", "checkpoint barrier 3"), or null when
         * nothing does.
         */
        String awaitedAnswer();

        /** Whether the operator has finished (after which a broken session fails the task). */
        boolean finished();

        /**
         * A Hello for a new session; it names {@link #restoreFrom()} as the restored checkpoint.
         */
        Hello.Builder hello();

        /** The handler of the replies of the session of generation {@code generation}. */
        ReplyHandler replyHandler(int generation);
    }

    private final Operator operator;
    private final SidecarRunner runner;

    /** Where the sidecar's window state lives in Flink; null when the job does not checkpoint. */
    private final SidecarKeyedState keyedState;

    private final ProcessingTimeService time;
    private final OperatorMetrics metrics;
    private final long answerTimeoutMs;
    private final int subtask;
    private final String socketPath;

    private String sessionId;
    private int generation;

    /**
     * When (processing time) the sidecar last answered anything, or something was sent while
     * nothing was outstanding.
     */
    private long progressMs;

    /** The session failure that fails the task; every later wait rethrows it. */
    private Exception failure;

    /**
     * The last checkpoint whose barrier the sidecar acknowledged (or the restored one): where a new
     * session starts.
     */
    private long lastAcknowledgedBarrier;

    /** The last watermark sent to the sidecar, then the one sent before the awaited barrier. */
    private long lastWatermarkSent = Long.MIN_VALUE;

    private long watermarkAtAwaitedBarrier;

    /** The watermark at the last acknowledged barrier; none before the first. */
    private OptionalLong watermarkAtLastBarrier = OptionalLong.empty();

    /** State changes sent before the awaited acknowledgement; written into keyed state with it. */
    private final List<KeyState> pendingChanges = new ArrayList<>();

    /** The highest sequence whose answer was emitted. */
    private long lastEmitted;

    /**
     * Digests of the answers emitted since the last acknowledged barrier, by sequence: the answers
     * to batches sent again must match them.
     */
    private final Map<Long, Long> emittedSinceBarrier = new HashMap<>();

    SessionRecovery(
            Operator operator,
            SidecarRunner runner,
            SidecarKeyedState keyedState,
            ProcessingTimeService time,
            OperatorMetrics metrics,
            long answerTimeoutMs,
            long restoredCheckpointId,
            int subtask,
            String socketPath) {
        this.operator = operator;
        this.runner = runner;
        this.keyedState = keyedState;
        this.time = time;
        this.metrics = metrics;
        this.answerTimeoutMs = answerTimeoutMs;
        this.lastAcknowledgedBarrier = restoredCheckpointId;
        this.subtask = subtask;
        this.socketPath = socketPath;
    }

    /** The first session opened: starts the watchdog. */
    void opened(SessionInfo session) {
        sessionId = session.sessionId();
        scheduleWatchdog();
    }

    /** The current session's generation (0 for the first). */
    int generation() {
        return generation;
    }

    /** The current session's id, for the log. */
    String sessionId() {
        return sessionId;
    }

    /**
     * The checkpoint a new session starts from: the last acknowledged barrier, or the restored
     * checkpoint.
     */
    long restoreFrom() {
        return lastAcknowledgedBarrier;
    }

    /** Something goes to the sidecar while nothing was outstanding: the answer clock starts now. */
    void answerClockStarts() {
        progressMs = now();
    }

    /** The sidecar answered something. */
    void answered() {
        progressMs = now();
    }

    void watermarkSent(long watermark) {
        lastWatermarkSent = watermark;
    }

    void barrierSent() {
        watermarkAtAwaitedBarrier = lastWatermarkSent;
    }

    /**
     * Window-state changes of the session of {@code session}, to be written with the next
     * acknowledgement.
     */
    void stateChanges(int session, List<KeyState> keys) {
        if (session == generation) {
            pendingChanges.addAll(keys);
        }
    }

    /**
     * Whether {@code reply} answers a batch already emitted (sent again to a new session); if so,
     * checks that it is what the first run emitted.
     *
     * @throws SidecarSessionException when it is not (the task fails)
     */
    boolean alreadyEmitted(DecodedReply reply) throws SidecarSessionException {
        if (reply.sequence() > lastEmitted) {
            return false;
        }
        Long first = emittedSinceBarrier.remove(reply.sequence());
        if (first != null && first != reply.digest()) {
            throw fail(
                    new SidecarSessionException(
                            "the answers to the batches sent again to a new sidecar session"
                                    + " diverged at batch "
                                    + reply.sequence()
                                    + ": its answer ("
                                    + reply.results().length
                                    + " results) differs from the first"
                                    + " run's; a rule is not deterministic? Flink's recovery takes over"));
        }
        return true;
    }

    /** {@code reply}'s results were emitted. */
    void emitted(DecodedReply reply) {
        lastEmitted = reply.sequence();
        emittedSinceBarrier.put(reply.sequence(), reply.digest());
    }

    /**
     * The sidecar acknowledged the barrier of {@code checkpointId}: writes the window state it sent
     * into keyed state and forgets what a resend no longer needs.
     */
    void barrierAcknowledged(long checkpointId) throws Exception {
        if (keyedState != null) {
            keyedState.apply(pendingChanges);
            pendingChanges.clear();
        }
        runner.barrierAcknowledged();
        emittedSinceBarrier.clear();
        lastAcknowledgedBarrier = checkpointId;
        watermarkAtLastBarrier =
                watermarkAtAwaitedBarrier == Long.MIN_VALUE
                        ? OptionalLong.empty()
                        : OptionalLong.of(watermarkAtAwaitedBarrier);
    }

    /** Rethrows the session failure, if there was one. */
    void throwIfFailed() throws Exception {
        if (failure != null) {
            throw failure;
        }
    }

    /** Checks, every quarter of answer-timeout, that the sidecar answers what is outstanding. */
    private void scheduleWatchdog() {
        time.registerTimer(now() + Math.max(1, answerTimeoutMs / 4), timestamp -> watchdog());
    }

    /** Mailbox (a processing-time timer). */
    private void watchdog() throws Exception {
        if (operator.finished() || failure != null) {
            return;
        }
        long silentMs = now() - progressMs;
        String waiting = operator.awaitedAnswer();
        if (waiting != null && silentMs > answerTimeoutMs) {
            sessionBroke(
                    generation,
                    new SidecarSessionException(
                            "the sidecar answered nothing for "
                                    + silentMs
                                    + " ms while "
                                    + waiting
                                    + " waited (sidecar.operator.answer-timeout "
                                    + answerTimeoutMs
                                    + " ms); is it frozen?"));
        }
        scheduleWatchdog();
    }

    /**
     * The session of {@code brokenGeneration} broke: opens a new one standing where it stood, or
     * fails the task when that cannot work. Mailbox.
     */
    void sessionBroke(int brokenGeneration, Exception cause) throws Exception {
        if (brokenGeneration != generation || failure != null) {
            return; // an older session's news, or the task fails already
        }
        ResendLog resend = runner.resendLog();
        String where =
                lastAcknowledgedBarrier > 0
                        ? "checkpoint barrier " + lastAcknowledgedBarrier
                        : "the session's start";
        if (operator.finished()) {
            throw fail(cause);
        }
        if (!resend.complete()) {
            throw fail(
                    new SidecarSessionException(
                            "the sidecar session broke ("
                                    + cause.getMessage()
                                    + ") and cannot be"
                                    + " resent: "
                                    + mib(resend.bytesSinceBarrier())
                                    + " were sent since "
                                    + where
                                    + ", more than"
                                    + " sidecar.operator.replay-buffer ("
                                    + mib(resend.maxBytes())
                                    + "); Flink's recovery takes over",
                            cause));
        }
        LOG.warn(
                "Subtask {}: sidecar session {} on {} broke ({}); opening a new one from {} and sending {} batches ({})"
                        + " again",
                subtask,
                sessionId,
                socketPath,
                cause.getMessage(),
                where,
                resend.batches(),
                mib(resend.bytesSinceBarrier()));
        generation++;
        pendingChanges.clear();
        long started = System.nanoTime();
        SessionInfo session;
        try {
            session = reopen(operator.replyHandler(generation));
        } catch (Exception e) {
            throw fail(
                    new SidecarSessionException(
                            "the sidecar session broke ("
                                    + cause.getMessage()
                                    + ") and no new"
                                    + " session could be opened within sidecar.operator.reconnect-timeout: "
                                    + e.getMessage()
                                    + "; Flink's recovery takes over",
                            e));
        }
        progressMs = now();
        metrics.reconnects.inc();
        metrics.resentBatches.inc(resend.batches());
        sessionId = session.sessionId();
        LOG.info(
                "Subtask {}: sidecar session {} open on {} after {} ms (sidecar {}, rules {}), {} batches sent again",
                subtask,
                sessionId,
                socketPath,
                (System.nanoTime() - started) / 1_000_000,
                session.sidecarVersion(),
                RuleVersions.describe(session.rules()),
                resend.batches());
    }

    /**
     * A new session with the keyed state and watermark of the last acknowledged barrier, and the
     * batches since.
     */
    private SessionInfo reopen(ReplyHandler handler) throws Exception {
        if (keyedState == null) {
            return runner.reopen(
                    operator.hello(), handler, Collections.emptyIterator(), watermarkAtLastBarrier);
        }
        SessionInfo[] opened = new SessionInfo[1];
        keyedState.withEveryKey(
                state ->
                        opened[0] =
                                runner.reopen(
                                        operator.hello(), handler, state, watermarkAtLastBarrier));
        return opened[0];
    }

    private long now() {
        return time.getCurrentProcessingTime();
    }

    /** Marks the task failed with {@code cause}: every later wait rethrows it. */
    <E extends Exception> E fail(E cause) {
        failure = cause;
        return cause;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
