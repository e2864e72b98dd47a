package dev.flinksidecar.sidecar.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.WindowFiring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchComparison}: results compared at their point of the batch, settled by the watermark
 * in force there, the same however the events are cut into batches.
 */
class BatchComparisonTest {

    private static final RuleRef CURRENT = RuleRef.newBuilder().setId("r").setVersion("1").build();
    private static final RuleRef CANDIDATE =
            RuleRef.newBuilder().setId("r").setVersion("2").build();

    /** Event times of the stream: three events, keys a, b, c. */
    private static final long[] TIMES = {100, 110, 130};

    @Test
    void aResultMadeAtAnotherEventStillPairsWhileTheWatermarkIsBehindIt() throws IOException {
        long[] watermarks = {50, 90, 150}; // after each event
        // current: X(k@100) at event 0; candidate: the same at event 2
        for (int cut : new int[] {1, 2, 3}) {
            assertThat(run(watermarks, cut)).as("batches of %d", cut).isEmpty();
        }
    }

    @Test
    void aWatermarkThatPassesTheResultFirstSettlesItAsRemovedThenTheOtherAsAdded()
            throws IOException {
        long[] watermarks = {50, 120, 150}; // 120, after event 1, passes time 100 before event 2
        for (int cut : new int[] {1, 2, 3}) {
            assertThat(run(watermarks, cut))
                    .as("batches of %d", cut)
                    .containsExactly("REMOVED r k@100", "ADDED r k@100");
        }
    }

    @Test
    void windowsFiredByOneWatermarkPairAtItsPoint() throws IOException {
        EventBatch events = batch(0, 2, new long[] {50, 200});
        ResultBatch current = answer(CURRENT, perEvent(1, "b", 110, 1), window(2, 0, 100, 5));
        ResultBatch candidate =
                answer(
                        CANDIDATE,
                        window(2, 0, 100, 6),
                        perEvent(1, "b", 110, 2)); // out of point order: sorted first
        List<Difference> found = new ArrayList<>();
        ResultDiffer differ = new ResultDiffer(new Tolerance(0), found::add);

        new BatchComparison(differ).compare(events, current, candidate);

        assertThat(found)
                .extracting(d -> d.change() + " " + d.id())
                .containsExactly("CHANGED r b@110", "CHANGED r k [0,100)");
        assertThat(differ.held()).isZero();
    }

    /** The stream cut into batches of {@code cut} events; the differences found, in order. */
    private static List<String> run(long[] watermarks, int cut) throws IOException {
        List<Difference> found = new ArrayList<>();
        ResultDiffer differ = new ResultDiffer(new Tolerance(0), found::add);
        BatchComparison comparison = new BatchComparison(differ);
        for (int from = 0; from < TIMES.length; from += cut) {
            int to = Math.min(TIMES.length, from + cut);
            long[] batchWatermarks = new long[to - from];
            System.arraycopy(watermarks, from, batchWatermarks, 0, to - from);
            List<Result> fromCurrent = new ArrayList<>();
            List<Result> fromCandidate = new ArrayList<>();
            if (from == 0) {
                fromCurrent.add(perEvent(0, "k", 100, 1));
            }
            if (to == TIMES.length) {
                fromCandidate.add(perEvent(2 - from, "k", 100, 1));
            }
            comparison.compare(
                    batch(from, to, batchWatermarks),
                    answer(CURRENT, fromCurrent.toArray(new Result[0])),
                    answer(CANDIDATE, fromCandidate.toArray(new Result[0])));
        }
        differ.finish();
        return found.stream().map(d -> d.change() + " " + d.id()).collect(Collectors.toList());
    }

    /** Events {@code from} to {@code to} of the stream, with a watermark after each. */
    private static EventBatch batch(int from, int to, long[] watermarksAfter) {
        EventBatch.Builder batch = EventBatch.newBuilder();
        for (int i = from; i < to; i++) {
            batch.addKey("e" + i)
                    .addTimeDelta(i == from ? TIMES[i] : TIMES[i] - TIMES[i - 1])
                    .addInterimWatermarkPositions(i - from + 1)
                    .addInterimWatermarks(watermarksAfter[i - from]);
        }
        return batch.build();
    }

    private static ResultBatch answer(RuleRef rule, Result... results) {
        return ResultBatch.newBuilder().addRules(rule).addAllResults(List.of(results)).build();
    }

    private static Result perEvent(int eventIndex, String key, long time, double v) {
        return Result.newBuilder()
                .setEventIndex(eventIndex)
                .setKey(key)
                .setTime(time)
                .addAttributes(Attribute.newBuilder().setName("value").setDoubleValue(v))
                .build();
    }

    /** A window of key k fired by the watermark after the first {@code eventIndex} events. */
    private static Result window(int eventIndex, long start, long end, double v) {
        return Result.newBuilder()
                .setEventIndex(eventIndex)
                .setKey("k")
                .setTime(end - 1)
                .setWindow(
                        WindowFiring.newBuilder()
                                .setStart(start)
                                .setEnd(end)
                                .setValue(v)
                                .setCount(1)
                                .setByWatermark(true))
                .build();
    }
}
