package dev.flinksidecar.sidecar.diff;

import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Feeds a {@link ResultDiffer} with the answers of two rule engines to the same event batches,
 * batch after batch, point by point: for each event {@code j} of a batch, first the windows that
 * the watermark in force before it fired (point {@code 2j}), then the results of the event itself
 * (point {@code 2j + 1}), each followed by {@link ResultDiffer#settle} with that watermark; after
 * the last event, the windows the batch's final watermark fired. Since every point has its own
 * watermark, what it finds does not depend on how the events were cut into batches. Keeps the
 * watermark across batches. Not thread-safe: one thread hands it the batches in order.
 */
public final class BatchComparison {

    private final ResultDiffer differ;

    /** The watermark in force after the batches so far. */
    private long watermark = Long.MIN_VALUE;

    public BatchComparison(ResultDiffer differ) {
        this.differ = differ;
    }

    /**
     * Compares the two answers to {@code events} (each answer's results in event order, as {@code
     * RuleEngine.process} gives them).
     */
    public void compare(EventBatch events, ResultBatch current, ResultBatch candidate)
            throws IOException {
        int size = events.getKeyCount();
        long[] watermarks = watermarksAt(events, size);
        Points currentPoints = new Points(current);
        Points candidatePoints = new Points(candidate);
        for (int point = 0; point <= 2 * size; point++) {
            differ.compare(currentPoints.at(point), candidatePoints.at(point));
            differ.settle(watermarks[point / 2]);
        }
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
     * One answer's results by point of the batch. The engine answers in point order (a stable sort
     * puts them in it otherwise); {@link #at} is called with increasing points.
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
