package dev.flinksidecar.sidecar.diff;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Compares the results of two rule sets, the current and a candidate, that ran over the same events
 * with the same watermarks, as they come, holding only the results not yet settled.
 *
 * <p>The caller hands over the results point by point ({@link #compare}): everything both sets made
 * at one point of the stream, i.e. for one event, or for one watermark (window firings); then the
 * watermark in force there ({@link #settle}). Results are matched on their {@link ResultId} (rule,
 * key, time or window) as multisets, in the order they were made:
 *
 * <ol>
 *   <li>at the same point, the n-th current result with an id pairs with the n-th candidate result
 *       with that id;
 *   <li>a result left over waits for one with the same id from the other set at a later point, and
 *       pairs with the oldest such;
 *   <li>once the watermark reaches a waiting result's time (a window's end - 1), nothing the rules
 *       make later can still be expected to match it (the window has fired, the event is behind the
 *       watermark): a waiting current result is {@link Difference.Change#REMOVED}, a waiting
 *       candidate result {@link Difference.Change#ADDED}.
 * </ol>
 *
 * A pair whose attributes differ beyond the {@link Tolerance} is {@link Difference.Change#CHANGED};
 * otherwise it agrees and is only counted ({@link #tally()}).
 *
 * <pre>
 *   point    current          candidate         settle(watermark)
 *   e1       R(k1@100)=950    R(k1@100)=950     agree
 *   e2       -                R(k2@300)=920     R(k2@300) waits (300 > watermark 150)
 *   e3       R(k1@120)=1200   R(k1@120)=1300    changed
 *   wm 310                                     R(k2@300) added
 * </pre>
 *
 * <p>Only results ahead of the watermark wait, so with rules whose results carry their event's time
 * or their window's, what the differ holds is bounded by the events within the out-of-orderness,
 * never by the length of the input. Not thread-safe: one thread drives it.
 */
public final class ResultDiffer {

    private final Tolerance tolerance;
    private final DifferenceSink sink;
    private final DiffTally tally = new DiffTally();

    /** The results waiting for a match, by time, then by id in the order they began to wait. */
    private final NavigableMap<Long, Map<ResultId, Waiting>> waiting = new TreeMap<>();

    private int held;
    private int maxHeld;

    public ResultDiffer(Tolerance tolerance, DifferenceSink sink) {
        this.tolerance = tolerance;
        this.sink = sink;
    }

    /**
     * Compares the results both rule sets made at one point of the stream, each list in the order
     * its set made them. Pairs are compared now; the others wait for {@link #settle}.
     */
    public void compare(List<ComparedResult> current, List<ComparedResult> candidate)
            throws IOException {
        if (current.isEmpty() && candidate.isEmpty()) {
            return;
        }
        if (current.isEmpty() || candidate.isEmpty()) {
            for (ComparedResult result : current) {
                matchOrWait(result, true);
            }
            for (ComparedResult result : candidate) {
                matchOrWait(result, false);
            }
            return;
        }
        Map<ResultId, ArrayDeque<Integer>> candidateIndexes = new HashMap<>();
        for (int i = 0; i < candidate.size(); i++) {
            candidateIndexes
                    .computeIfAbsent(candidate.get(i).id(), id -> new ArrayDeque<>())
                    .add(i);
        }
        boolean[] paired = new boolean[candidate.size()];
        for (ComparedResult result : current) {
            ArrayDeque<Integer> same = candidateIndexes.get(result.id());
            Integer match = same == null ? null : same.poll();
            if (match != null) {
                paired[match] = true;
                pair(result, candidate.get(match));
            } else {
                matchOrWait(result, true);
            }
        }
        for (int i = 0; i < candidate.size(); i++) {
            if (!paired[i]) {
                matchOrWait(candidate.get(i), false);
            }
        }
    }

    /**
     * The watermark is now {@code watermark}: every waiting result whose time is at most that is
     * settled as added or removed, in time order.
     */
    public void settle(long watermark) throws IOException {
        while (!waiting.isEmpty() && waiting.firstKey() <= watermark) {
            for (Waiting left : waiting.pollFirstEntry().getValue().values()) {
                for (ComparedResult result : left.current) {
                    emit(Difference.removed(result));
                }
                for (ComparedResult result : left.candidate) {
                    emit(Difference.added(result));
                }
                held -= left.current.size() + left.candidate.size();
            }
        }
    }

    /** The end of the stream: everything still waiting is settled. */
    public void finish() throws IOException {
        settle(Long.MAX_VALUE);
    }

    /** How many results wait for a match now. */
    public int held() {
        return held;
    }

    /** The most results that waited at once so far. */
    public int maxHeld() {
        return maxHeld;
    }

    /** The counts so far, by rule. */
    public DiffTally tally() {
        return tally;
    }

    private void matchOrWait(ComparedResult result, boolean isCurrent) throws IOException {
        ResultId id = result.id();
        Map<ResultId, Waiting> atTime = waiting.get(id.time());
        Waiting same = atTime == null ? null : atTime.get(id);
        if (same != null) {
            ArrayDeque<ComparedResult> other = isCurrent ? same.candidate : same.current;
            ComparedResult match = other.poll();
            if (match != null) {
                held--;
                if (same.isEmpty()) {
                    atTime.remove(id);
                    if (atTime.isEmpty()) {
                        waiting.remove(id.time());
                    }
                }
                if (isCurrent) {
                    pair(result, match);
                } else {
                    pair(match, result);
                }
                return;
            }
        } else {
            if (atTime == null) {
                atTime = new LinkedHashMap<>();
                waiting.put(id.time(), atTime);
            }
            same = new Waiting();
            atTime.put(id, same);
        }
        (isCurrent ? same.current : same.candidate).add(result);
        held++;
        maxHeld = Math.max(maxHeld, held);
    }

    private void pair(ComparedResult current, ComparedResult candidate) throws IOException {
        if (tolerance.agree(current, candidate)) {
            tally.agreed(current.id().rule());
        } else {
            emit(Difference.changed(current, candidate));
        }
    }

    private void emit(Difference difference) throws IOException {
        tally.count(difference);
        sink.accept(difference);
    }

    /**
     * The results of one id waiting for a match, from one set only: had both sets one, they would
     * have paired.
     */
    private static final class Waiting {
        final ArrayDeque<ComparedResult> current = new ArrayDeque<>(1);
        final ArrayDeque<ComparedResult> candidate = new ArrayDeque<>(1);

        boolean isEmpty() {
            return current.isEmpty() && candidate.isEmpty();
        }
    }
}
