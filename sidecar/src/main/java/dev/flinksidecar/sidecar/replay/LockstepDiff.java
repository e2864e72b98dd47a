package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.sidecar.diff.BatchComparison;
import dev.flinksidecar.sidecar.diff.Difference;
import dev.flinksidecar.sidecar.diff.ResultDiffer;
import dev.flinksidecar.sidecar.diff.Tolerance;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.io.Writer;

/**
 * {@code replay --candidate}: each batch through two {@link RuleEngine}s, the current rule set's
 * and the candidate's, in lockstep (the same events, the same watermarks at the same places), and
 * their answers through a {@link BatchComparison} into a {@link ResultDiffer}, point by point. Each
 * difference is written as one JSON line as soon as it is settled. Only the results ahead of the
 * watermark wait across batches, and the diff does not depend on the batch size. Runs on the
 * replay's thread.
 */
final class LockstepDiff implements ReplayTarget {

    /** What one rule set's engine answered over the whole run. */
    static final class SideCounts {
        long results;
        long ruleFailures;
        long late;

        void add(ResultBatch answer) {
            results += answer.getResultsCount();
            ruleFailures += answer.getDeadLettersCount();
            late += answer.getLateEventsCount();
        }
    }

    private final RuleEngine current;
    private final RuleEngine candidate;
    private final Writer diff;
    private final ResultDiffer differ;
    private final BatchComparison comparison;
    private final SideCounts currentCounts = new SideCounts();
    private final SideCounts candidateCounts = new SideCounts();

    LockstepDiff(RuleEngine current, RuleEngine candidate, Tolerance tolerance, Writer diff) {
        this.current = current;
        this.candidate = candidate;
        this.diff = diff;
        this.differ = new ResultDiffer(tolerance, this::write);
        this.comparison = new BatchComparison(differ);
    }

    @Override
    public void batch(EventBatch events) throws IOException {
        ResultBatch currentAnswer = current.process(events);
        ResultBatch candidateAnswer = candidate.process(events);
        currentCounts.add(currentAnswer);
        candidateCounts.add(candidateAnswer);
        comparison.compare(events, currentAnswer, candidateAnswer);
    }

    @Override
    public void malformed(String deadLetter) {
        // the same for both rule sets: only counted by the replay
    }

    /** Settles every result still waiting: the input has ended. */
    void finish() throws IOException {
        differ.finish();
    }

    ResultDiffer differ() {
        return differ;
    }

    SideCounts currentCounts() {
        return currentCounts;
    }

    SideCounts candidateCounts() {
        return candidateCounts;
    }

    private void write(Difference difference) throws IOException {
        diff.write(difference.json());
        diff.write('\n');
    }
}
