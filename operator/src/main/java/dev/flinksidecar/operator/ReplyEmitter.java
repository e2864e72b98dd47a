package dev.flinksidecar.operator;

import dev.flinksidecar.events.DeadLetters;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.LateEvents;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.RuleRef;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Emits one answered batch downstream in the order of the stream that went in: each watermark of
 * the batch right after everything that the events and watermarks before it caused, and never
 * before (see {@link DecodedReply} for the slots that order them).
 *
 * <pre>
 *   batch sent:   e0  e1  W(after 2)  e2  W(after 3)         [status change]
 *   emitted:      results/dead letters/late events of e0, e1; windows W fired; W;
 *                 those of e2; windows the second W fired; that W;  [the status]
 * </pre>
 *
 * Results go to the main output with their event time (a window result: its end - 1); dead letters
 * and late events go to their side outputs with the time of the event they carry. Task thread only.
 */
final class ReplyEmitter {

    private final Output<StreamRecord<ResultRecord>> output;
    private final ThrowingConsumer<Watermark, Exception> watermarks;
    private final OutputTag<String> deadLetterTag;
    private final OutputTag<String> lateTag;
    private final Counter resultsOut;
    private final Counter deadLettersOut;
    private final Counter lateOut;
    private final StreamRecord<ResultRecord> reuse = new StreamRecord<>(null);

    // cursors into the reply being emitted
    private DecodedReply reply;
    private InFlightBatch batch;
    private int result;
    private int deadLetter;
    private int late;

    /**
     * @param watermarks emits a watermark downstream (the operator's {@code
     *     super.processWatermark})
     */
    ReplyEmitter(
            Output<StreamRecord<ResultRecord>> output,
            ThrowingConsumer<Watermark, Exception> watermarks,
            OutputTag<String> deadLetterTag,
            OutputTag<String> lateTag,
            Counter resultsOut,
            Counter deadLettersOut,
            Counter lateOut) {
        this.output = output;
        this.watermarks = watermarks;
        this.deadLetterTag = deadLetterTag;
        this.lateTag = lateTag;
        this.resultsOut = resultsOut;
        this.deadLettersOut = deadLettersOut;
        this.lateOut = lateOut;
    }

    /**
     * Emits everything of {@code reply}, the answer to {@code batch}, with the batch's watermarks
     * and status.
     */
    void emit(DecodedReply reply, InFlightBatch batch) throws Exception {
        this.reply = reply;
        this.batch = batch;
        result = 0;
        deadLetter = 0;
        late = 0;
        try {
            int[] positions = batch.watermarkPositions();
            for (int w = 0; w < positions.length; w++) {
                emitThrough(DecodedReply.watermarkSlot(positions[w]));
                watermarks.accept(new Watermark(batch.watermarks()[w]));
            }
            emitThrough(Integer.MAX_VALUE);
            if (batch.status() != null) {
                output.emitWatermarkStatus(batch.status());
            }
        } finally {
            this.reply = null;
            this.batch = null;
        }
        resultsOut.inc(reply.results().length);
        deadLettersOut.inc(reply.deadLetters().size());
        lateOut.inc(reply.lateEvents().size());
    }

    /**
     * Emits every item with a slot up to {@code limit}: by slot, and for one event results, dead
     * letters, late.
     */
    private void emitThrough(int limit) {
        ResultRecord[] results = reply.results();
        int[] slots = reply.resultSlots();
        List<DeadLetter> deadLetters = reply.deadLetters();
        List<LateEvent> lateEvents = reply.lateEvents();
        while (true) {
            int r = result < results.length ? slots[result] : Integer.MAX_VALUE;
            int d =
                    deadLetter < deadLetters.size()
                            ? DecodedReply.eventSlot(deadLetters.get(deadLetter).getEventIndex())
                            : Integer.MAX_VALUE;
            int l =
                    late < lateEvents.size()
                            ? DecodedReply.eventSlot(lateEvents.get(late).getEventIndex())
                            : Integer.MAX_VALUE;
            int next = Math.min(r, Math.min(d, l));
            if (next > limit || next == Integer.MAX_VALUE) {
                return;
            }
            if (r == next) {
                ResultRecord record = results[result++];
                output.collect(reuse.replace(record, record.time()));
            } else if (d == next) {
                emitDeadLetter(deadLetters.get(deadLetter++));
            } else {
                emitLate(lateEvents.get(late++));
            }
        }
    }

    private void emitDeadLetter(DeadLetter failure) {
        RuleRef rule = reply.rules().get(failure.getRule());
        EventRecord event = batch.events()[failure.getEventIndex()];
        output.collect(
                deadLetterTag,
                new StreamRecord<>(
                        DeadLetters.ruleFailure(
                                rule.getId(), rule.getVersion(), failure.getReason(), event),
                        event.time()));
    }

    private void emitLate(LateEvent lateEvent) {
        RuleRef rule = reply.rules().get(lateEvent.getRule());
        EventRecord event = batch.events()[lateEvent.getEventIndex()];
        output.collect(
                lateTag,
                new StreamRecord<>(
                        LateEvents.line(rule.getId(), rule.getVersion(), event), event.time()));
    }
}
