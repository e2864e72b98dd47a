package dev.flinksidecar.job.operator;

import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.job.types.ResultRecord;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import java.util.List;

/**
 * An answer from the sidecar made ready to emit: result lines are built here, on the runner's
 * reader thread, so that the task thread only emits them. Immutable once built.
 *
 * @param sequence the answered batch's sequence number
 * @param results the results in event order
 * @param resultEvents for each result, the index of the event that made it
 * @param deadLetters events a rule failed on (built into lines on the task thread, which holds the events)
 * @param rules the rule versions the dead letters refer to
 */
record DecodedReply(long sequence, ResultRecord[] results, int[] resultEvents, List<DeadLetter> deadLetters,
        List<RuleRef> rules) {

    /** Decodes one ResultBatch. Runs on the reader thread. */
    static DecodedReply decode(ResultBatch batch) {
        List<RuleRef> rules = batch.getRulesList();
        int n = batch.getResultsCount();
        ResultRecord[] results = new ResultRecord[n];
        int[] events = new int[n];
        for (int i = 0; i < n; i++) {
            Result result = batch.getResults(i);
            RuleRef rule = rules.get(result.getRule());
            results[i] = new ResultRecord(rule.getId(), rule.getVersion(), result.getKey(), result.getTime(),
                    ResultJson.toJson(rule, result));
            events[i] = result.getEventIndex();
        }
        return new DecodedReply(batch.getSequence(), results, events, batch.getDeadLettersList(), rules);
    }
}
