package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.sidecar.diff.ComparedResult;
import dev.flinksidecar.sidecar.diff.Difference;
import dev.flinksidecar.sidecar.diff.ResultDiffer;
import dev.flinksidecar.sidecar.diff.Tolerance;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@code replay --candidate}: each batch through two {@link RuleEngine}s, the current rule set's
 * and the candidate's, in lockstep (the same events, the same watermarks at the same places), and
 * their answers through a {@link ResultDiffer} point by point: the results of one event, then those
 * of the watermark after it, then the differ settles what that watermark decides. Each difference
 * is written as one JSON line as soon as it is found. Only the results ahead of the watermark wait
 * across batches; since every point has its own watermark, the diff does not depend on the batch
 * size. Runs on the replay's thread.
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
    private final SideCounts currentCounts = new SideCounts();
    private final SideCounts candidateCounts = new SideCounts();

    /** The watermark in force after the batches so far. */
    private long watermark = Long.MIN_VALUE;

    LockstepDiff(RuleEngine current, RuleEngine candidate, Tolerance tolerance, Writer diff) {
        this.current = current;
        this.candidate = candidate;
        this.diff = diff;
        this.differ = new ResultDiffer(tolerance, this::write);
    }

    @Override
    public void batch(EventBatch events) throws IOException {
        ResultBatch currentAnswer = current.process(events);
        ResultBatch candidateAnswer = candidate.process(events);
        currentCounts.add(currentAnswer);
        candidateCounts.add(candidateAnswer);
        int size = events.getKeyCount();
        long[] watermarks = watermarksAt(events, size);
        Points currentPoints = new Points(currentAnswer);
        Points candidatePoints = new Points(candidateAnswer);
        for (int point = 0; point <= 2 * size; point++) {
            List<ComparedResult> fromCurrent = currentPoints.at(point);
            List<ComparedResult> fromCandidate = candidatePoints.at(point);
            differ.compare(fromCurrent, fromCandidate);
            differ.settle(watermarks[point / 2]);
        }
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

    /**
     * The watermark in force after the first {@code j} events of the batch, for {@code j} from 0 to
     * {@code size}: the interim watermarks at {@code j} included, and for {@code size} the batch's
     * own; a watermark never goes back.
     */
    private long[] watermarksAt(EventBatch events, int size) {
        long[] at = new long[size + 1];
        int interim = 0;
        int interimCount = events.getInterimWatermarkPositionsCount();
        long w = watermark;
        for (int j = 0; j <= size; j++) {
            while (interim < interimCount && events.getInterimWatermarkPositions(interim) == j) {
                w = Math.max(w, events.getInterimWatermarks(interim));
                interim++;
            }
            if (j == size && events.hasWatermark()) {
                w = Math.max(w, events.getWatermark());
            }
            at[j] = w;
        }
        watermark = w;
        return at;
    }

    /**
     * One answer's results by point of the batch: point {@code 2j} is the watermark in force before
     * event {@code j} (the windows it fired), point {@code 2j + 1} is event {@code j}. The engine
     * answers in that order; {@link #at} is called with increasing points.
     */
    private static final class Points {
        private final ResultBatch answer;
        private final Integer[] order;
        private int next;

        Points(ResultBatch answer) {
            this.answer = answer;
            int count = answer.getResultsCount();
            this.order = new Integer[count];
            boolean sorted = true;
            for (int i = 0; i < count; i++) {
                order[i] = i;
                if (i > 0 && point(i) < point(i - 1)) {
                    sorted = false;
                }
            }
            if (!sorted) {
                Arrays.sort(order, Comparator.comparingInt(this::point)); // stable
            }
        }

        private int point(int index) {
            Result result = answer.getResults(index);
            boolean byWatermark = result.hasWindow() && result.getWindow().getByWatermark();
            return 2 * result.getEventIndex() + (byWatermark ? 0 : 1);
        }

        List<ComparedResult> at(int point) {
            List<ComparedResult> results = List.of();
            while (next < order.length && point(order[next]) == point) {
                if (results.isEmpty()) {
                    results = new ArrayList<>(2);
                }
                Result result = answer.getResults(order[next++]);
                results.add(ComparedResult.of(answer.getRules(result.getRule()), result));
            }
            return results;
        }
    }
}
