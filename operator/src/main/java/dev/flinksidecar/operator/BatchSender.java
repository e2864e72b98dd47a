package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.client.SidecarSessionException;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The {@link SidecarOperator}'s open batch and the batches in flight: when the open batch is sent,
 * and the bounds on what is in flight (max-in-flight-batches, max-in-flight-bytes).
 *
 * <p><b>Batching is adaptive.</b> When no batch is in flight an event is sent at once, so at low
 * load latency is one round trip. While batches are in flight, new events gather in the open batch
 * until it reaches max-events or max-bytes (then it goes as soon as a slot is free), until every
 * batch in flight is answered, or until max-delay passes, whichever comes first. So at most one
 * batch that is not full is in flight: the batch size follows the load (about the events of one
 * round trip), and the sidecar's per-batch cost is paid once per round trip, not once per reply.
 *
 * <p><b>Under backlog, full batches.</b> When the task is behind its input (buffers queued in its
 * input gates, see {@link InputBacklog}), an open batch that is not full is not sent just because
 * nothing is in flight: it fills up first, so a saturated task sends batches of max-events and pays
 * the per-batch cost of both processes (several round trips' worth of thread wake-ups) once per
 * max-events events. The wait ends when the batch is full, when the backlog is gone (asked at each
 * event and reply), or at max-delay. Without backlog nothing changes: the task is ahead of its
 * input, and waiting would only add latency.
 *
 * <p><b>Backpressure.</b> When the open batch is full (or a status change, checkpoint or end of
 * input must send it) and no slot is free, the task thread yields to its mailbox ({@link
 * MailboxExecutor#yield()}, as {@code AsyncWaitOperator} does) until a reply frees one. It does not
 * return from {@code processElement}, so Flink stops reading input; there is no other queue.
 *
 * <p>The encoded batch is built by the runner as the operator passes it events and watermarks; this
 * class keeps the operator's side of it ({@link PendingBatch}). Every method runs on the task
 * thread.
 */
final class BatchSender {

    private final SidecarRunner runner;
    private final OperatorMetrics metrics;
    private final SessionRecovery recovery;
    private final ProcessingTimeService time;
    private final MailboxExecutor mailbox;

    /** Whether a checkpoint barrier waits for the sidecar's acknowledgement. */
    private final BooleanSupplier barrierAwaited;

    /** Whether the task is behind its input right now ({@link InputBacklog}). */
    private final BooleanSupplier inputBacklog;

    private final int maxEvents;
    private final long maxBatchBytes;
    private final long maxDelayMs;
    private final int maxInFlight;
    private final long maxInFlightBytes;

    private final PendingBatch pending = new PendingBatch();
    private final ArrayDeque<InFlightBatch> inFlight;
    private long inFlightBytes;
    private boolean timerArmed;

    BatchSender(
            SidecarRunner runner,
            OperatorMetrics metrics,
            SessionRecovery recovery,
            ProcessingTimeService time,
            MailboxExecutor mailbox,
            BooleanSupplier barrierAwaited,
            BooleanSupplier inputBacklog,
            SidecarOperatorOptions options,
            long maxBatchBytes) {
        this.runner = runner;
        this.metrics = metrics;
        this.recovery = recovery;
        this.time = time;
        this.mailbox = mailbox;
        this.barrierAwaited = barrierAwaited;
        this.inputBacklog = inputBacklog;
        this.maxEvents = options.get(SidecarOperatorOptions.BATCH_MAX_EVENTS);
        this.maxBatchBytes = maxBatchBytes;
        this.maxDelayMs = options.get(SidecarOperatorOptions.BATCH_MAX_DELAY).toMillis();
        this.maxInFlight = options.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BATCHES);
        this.maxInFlightBytes = options.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BYTES).getBytes();
        this.inFlight = new ArrayDeque<>(maxInFlight);
    }

    /**
     * An event the runner has taken: it joins the open batch; {@code entryNanos} as in {@link
     * PendingBatch#add}.
     */
    void event(EventRecord event, long entryNanos) throws Exception {
        pending.add(event, entryNanos, openingTime());
        added();
    }

    /** A watermark the runner has taken: it joins the open batch after the events before it. */
    void watermark(long watermark) throws Exception {
        pending.watermark(watermark, openingTime());
        added();
    }

    /**
     * Whether nothing is open or in flight, so a watermark status change can be emitted at once.
     */
    boolean idle() {
        return !pending.hasContent() && inFlight.isEmpty();
    }

    /** Closes the open batch with a watermark status change and sends it once a slot is free. */
    void status(WatermarkStatus status) throws Exception {
        pending.status(status);
        sendWhenSlotFree();
    }

    /** The oldest batch in flight, whose answer comes next; null when none is in flight. */
    InFlightBatch oldest() {
        return inFlight.peek();
    }

    long inFlightCount() {
        return inFlight.size();
    }

    long inFlightBytes() {
        return inFlightBytes;
    }

    /** The processing time to note when this content opens a batch: the start of its max-delay. */
    private long openingTime() {
        return !pending.hasContent() ? time.getCurrentProcessingTime() : 0;
    }

    /**
     * After an event or watermark joined the open batch: send it now, when full, or at the
     * max-delay timer.
     */
    private void added() throws Exception {
        if (inFlight.isEmpty() && (full() || !behind())) {
            send();
        } else if (full()) {
            sendWhenSlotFree();
        } else {
            armTimer();
        }
    }

    /** Sends the open batch once a slot is free, yielding to the mailbox (replies) until then. */
    private void sendWhenSlotFree() throws Exception {
        // a reply that frees a slot sends the open batch itself, so check for content too
        while (pending.hasContent() && !hasSlot()) {
            awaitMail();
        }
        if (pending.hasContent()) {
            send();
        }
    }

    /** Sends everything open and waits until every batch is answered and emitted. */
    void drain() throws Exception {
        if (pending.hasContent()) {
            sendWhenSlotFree();
        }
        while (!inFlight.isEmpty()) {
            awaitMail();
        }
    }

    /** Runs mails (replies, timers) until one arrives; rethrows a session failure seen before. */
    void awaitMail() throws Exception {
        recovery.throwIfFailed();
        mailbox.yield();
    }

    private boolean hasSlot() {
        return inFlight.isEmpty()
                || (inFlight.size() < maxInFlight
                        && inFlightBytes + runner.batchBytes() <= maxInFlightBytes);
    }

    private void send() throws Exception {
        outstanding();
        long bytes = runner.batchBytes();
        long sequence = runner.flush();
        InFlightBatch batch = pending.close(sequence, bytes, System.nanoTime());
        inFlight.add(batch);
        inFlightBytes += bytes;
        metrics.batchSent(batch.events().length);
    }

    private void armTimer() {
        if (!timerArmed) {
            timerArmed = true;
            time.registerTimer(pending.openedAt() + maxDelayMs, this::onBatchTimer);
        }
    }

    /** The max-delay timer: send the open batch if it is old enough and a slot is free. Mailbox. */
    private void onBatchTimer(long time) throws Exception {
        timerArmed = false;
        if (!pending.hasContent()) {
            return;
        }
        if (time < pending.openedAt() + maxDelayMs) {
            armTimer();
        } else if (hasSlot()) {
            send();
        } // else: the next reply frees a slot and sends it
    }

    /** Something goes to the sidecar: when nothing was outstanding, the answer clock starts now. */
    void outstanding() {
        if (inFlight.isEmpty() && !barrierAwaited.getAsBoolean()) {
            recovery.answerClockStarts();
        }
    }

    /**
     * The sidecar answered batch {@code sequence}: takes the oldest batch out of flight, which must
     * be that one, and notes its round trip. Mailbox.
     */
    InFlightBatch answered(long sequence) throws SidecarSessionException {
        InFlightBatch batch = inFlight.poll();
        if (batch == null || batch.sequence() != sequence) {
            throw new SidecarSessionException(
                    "the sidecar answered batch "
                            + sequence
                            + " but batch "
                            + (batch == null ? "none" : batch.sequence())
                            + " was next");
        }
        inFlightBytes -= batch.bytes();
        metrics.roundTripNanos.update(System.nanoTime() - batch.sentNanos());
        return batch;
    }

    /**
     * After an answer: sends the open batch when nothing else is in flight (and it is full or no
     * input waits), or when it is full and the freed slot allows. Mailbox.
     */
    void sendAfterAnswer() throws Exception {
        if (!pending.hasContent()) {
            return;
        }
        if (full() ? hasSlot() : inFlight.isEmpty() && !behind()) {
            send();
        } else {
            armTimer();
        }
    }

    /** Whether the task is behind its input (a few reads while nothing is queued). */
    private boolean behind() {
        return inputBacklog.getAsBoolean();
    }

    private boolean full() {
        return runner.batchSize() >= maxEvents || runner.batchBytes() >= maxBatchBytes;
    }
}
