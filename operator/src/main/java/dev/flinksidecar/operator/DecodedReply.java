package dev.flinksidecar.operator;

import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.WindowFiring;
import java.util.List;

/**
 * An answer from the sidecar made ready to emit: result lines are built here, on the runner's
 * reader thread, so that the task thread only emits them. Immutable once built.
 *
 * <p>Every item has a <em>slot</em>, its place in the batch's stream: {@code 2i + 1} for what event
 * {@code i} caused (its results, a late firing of a window, its dead letters, its being late),
 * {@code 2p} for the windows a watermark fired after the first {@code p} events (a window result's
 * {@code event_index} may then equal the number of events; it never indexes them). A watermark
 * after {@code p} events is emitted after every item of slot {@code <= 2p}.
 *
 * @param sequence the answered batch's sequence number
 * @param results the results in stream order
 * @param resultSlots for each result, its slot (non-decreasing)
 * @param deadLetters events a rule failed on, in event order (built into lines on the task thread,
 *     which holds the events)
 * @param lateEvents events a windowed rule dropped as late, in event order (likewise)
 * @param rules the rule versions that dead letters and late events refer to
 * @param digest what the answer holds, condensed, to tell whether a batch sent again to a new
 *     session (after the old one broke) got the answer its first run got: every result's key and
 *     time, and a window result's window, value and count, its dead letters and late events. Not
 *     the versions: a per-event rule may have been swapped in between, which changes no state.
 */
record DecodedReply(
        long sequence,
        ResultRecord[] results,
        int[] resultSlots,
        List<DeadLetter> deadLetters,
        List<LateEvent> lateEvents,
        List<RuleRef> rules,
        long digest) {

    /** Decodes one ResultBatch. Runs on the reader thread. */
    static DecodedReply decode(ResultBatch batch) {
        List<RuleRef> rules = batch.getRulesList();
        int n = batch.getResultsCount();
        ResultRecord[] results = new ResultRecord[n];
        int[] slots = new int[n];
        long digest = 1;
        for (int i = 0; i < n; i++) {
            Result result = batch.getResults(i);
            digest =
                    31 * (31 * digest + result.getKey().hashCode())
                            + Long.hashCode(result.getTime());
            if (result.hasWindow()) {
                WindowFiring window = result.getWindow();
                digest =
                        31
                                        * (31 * (31 * digest + Long.hashCode(window.getStart()))
                                                + Double.hashCode(window.getValue()))
                                + Long.hashCode(window.getCount());
            }
            RuleRef rule = rules.get(result.getRule());
            results[i] =
                    new ResultRecord(
                            rule.getId(),
                            rule.getVersion(),
                            result.getKey(),
                            result.getTime(),
                            ResultJson.toJson(rule, result));
            boolean byWatermark = result.hasWindow() && result.getWindow().getByWatermark();
            slots[i] =
                    byWatermark
                            ? watermarkSlot(result.getEventIndex())
                            : eventSlot(result.getEventIndex());
        }
        for (DeadLetter deadLetter : batch.getDeadLettersList()) {
            digest = 31 * digest + deadLetter.getEventIndex();
        }
        for (LateEvent late : batch.getLateEventsList()) {
            digest = 31 * digest - late.getEventIndex();
        }
        return new DecodedReply(
                batch.getSequence(),
                results,
                slots,
                batch.getDeadLettersList(),
                batch.getLateEventsList(),
                rules,
                digest);
    }

    /** The slot of what event {@code index} caused. */
    static int eventSlot(int index) {
        return 2 * index + 1;
    }

    /** The slot of what a watermark after the first {@code events} events caused. */
    static int watermarkSlot(int events) {
        return 2 * events;
    }
}
