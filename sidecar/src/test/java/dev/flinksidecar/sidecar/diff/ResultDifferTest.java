package dev.flinksidecar.sidecar.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.WindowFiring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link ResultDiffer}: matching by id as multisets in order, waiting, settling, bounded state. */
class ResultDifferTest {

    private static final RuleRef CURRENT = RuleRef.newBuilder().setId("r").setVersion("1").build();
    private static final RuleRef CANDIDATE =
            RuleRef.newBuilder().setId("r").setVersion("2").build();

    private final List<Difference> found = new ArrayList<>();
    private final ResultDiffer differ = new ResultDiffer(new Tolerance(1e-9), found::add);

    @Test
    void resultsOfOnePointPairByIdInOrder() throws IOException {
        differ.compare(
                List.of(current("k", 10, 1), current("k", 10, 2), current("j", 10, 5)),
                List.of(candidate("j", 10, 5), candidate("k", 10, 1), candidate("k", 10, 3)));
        differ.settle(10);

        assertThat(lines()).containsExactly("changed r k@10 2.0 -> 3.0");
        assertThat(differ.tally().byRule().get("r").agreed()).isEqualTo(2);
        assertThat(differ.held()).isZero();
    }

    @Test
    void aResultWaitsForItsMatchUntilTheWatermarkPassesItsTime() throws IOException {
        differ.compare(List.of(current("k", 100, 1)), List.of());
        differ.settle(50);
        assertThat(differ.held()).isEqualTo(1);
        differ.compare(List.of(), List.of(candidate("k", 100, 1)));
        differ.settle(60);

        assertThat(found).isEmpty();
        assertThat(differ.held()).isZero();
        assertThat(differ.tally().byRule().get("r").agreed()).isEqualTo(1);
    }

    @Test
    void whatIsLeftWhenTheWatermarkPassesIsAddedOrRemovedInTimeOrder() throws IOException {
        differ.compare(List.of(current("a", 300, 1)), List.of(candidate("b", 200, 1)));
        differ.settle(100);
        assertThat(found).isEmpty();
        differ.settle(300);

        assertThat(lines()).containsExactly("added r b@200 1.0", "removed r a@300 1.0");
        assertThat(differ.held()).isZero();
    }

    @Test
    void aMatchAtTheSamePointComesBeforeOneThatWaited() throws IOException {
        differ.compare(List.of(), List.of(candidate("k", 100, 950)));
        differ.compare(List.of(current("k", 100, 1200)), List.of(candidate("k", 100, 1200)));
        differ.finish();

        assertThat(lines()).containsExactly("added r k@100 950.0");
    }

    @Test
    void windowsMatchOnTheirStartAndEnd() throws IOException {
        differ.compare(
                List.of(window(CURRENT, "k", 0, 10, 5, 1)),
                List.of(window(CANDIDATE, "k", 5, 10, 5, 1)));
        differ.compare(
                List.of(window(CURRENT, "k", 10, 20, 5, 1)),
                List.of(window(CANDIDATE, "k", 10, 20, 5, 2)));
        differ.finish();

        assertThat(found)
                .extracting(d -> d.change() + " " + d.id())
                .containsExactly("CHANGED r k [10,20)", "REMOVED r k [0,10)", "ADDED r k [5,10)");
        assertThat(found.get(0).json())
                .startsWith(
                        "{\"change\":\"changed\",\"rule\":\"r\",\"key\":\"k\",\"window_start\":10,\"window_end\":20,"
                                + "\"current\":{\"rule\":\"r\",\"version\":\"1\",\"key\":\"k\",\"window_start\":10");
    }

    @Test
    void theResultsHeldStayBoundedOverALongStream() throws IOException {
        // 200,000 events, keys cycling, times mostly increasing with a little disorder; the
        // watermark trails the largest time by 50. The candidate drops every 7th result, adds one
        // every 11th, and changes every 13th.
        long maxTime = 0;
        int held = 0;
        for (int i = 0; i < 200_000; i++) {
            long time = i * 10L + (i % 5) * 7;
            maxTime = Math.max(maxTime, time);
            String key = "k" + (i % 97);
            List<ComparedResult> fromCurrent = new ArrayList<>();
            List<ComparedResult> fromCandidate = new ArrayList<>();
            if (i % 7 != 0) {
                fromCurrent.add(current(key, time, i));
            }
            fromCandidate.add(candidate(key, time, i % 13 == 0 ? i + 1 : i));
            if (i % 11 == 0) {
                fromCandidate.add(candidate(key, time + 40, i));
            }
            differ.compare(fromCurrent, fromCandidate);
            differ.settle(maxTime - 50);
            held = Math.max(held, differ.held());
        }
        differ.finish();

        assertThat(differ.maxHeld()).isEqualTo(held).isLessThanOrEqualTo(20);
        DiffTally.Counts counts = differ.tally().byRule().get("r");
        assertThat(counts.changed()).isEqualTo(countOf(i -> i % 13 == 0 && i % 7 != 0));
        assertThat(counts.added()).isEqualTo(countOf(i -> i % 7 == 0) + countOf(i -> i % 11 == 0));
        assertThat(counts.removed()).isZero();
        assertThat(counts.agreed()).isEqualTo(countOf(i -> i % 7 != 0 && i % 13 != 0));
    }

    private static long countOf(java.util.function.IntPredicate which) {
        return java.util.stream.IntStream.range(0, 200_000).filter(which).count();
    }

    private List<String> lines() {
        return found.stream()
                .map(
                        d ->
                                d.change().name().toLowerCase(java.util.Locale.ROOT)
                                        + " "
                                        + d.id()
                                        + " "
                                        + (d.current() == null ? "" : value(d.current()))
                                        + (d.change() == Difference.Change.CHANGED ? " -> " : "")
                                        + (d.candidate() == null ? "" : value(d.candidate())))
                .collect(Collectors.toList());
    }

    private static String value(ComparedResult result) {
        return String.valueOf(result.attributes().getNumber("value", Double.NaN));
    }

    private static ComparedResult current(String key, long time, double value) {
        return result(CURRENT, key, time, value);
    }

    private static ComparedResult candidate(String key, long time, double value) {
        return result(CANDIDATE, key, time, value);
    }

    private static ComparedResult result(RuleRef rule, String key, long time, double value) {
        return ComparedResult.of(
                rule,
                Result.newBuilder()
                        .setKey(key)
                        .setTime(time)
                        .addAttributes(
                                Attribute.newBuilder().setName("value").setDoubleValue(value))
                        .build());
    }

    private static ComparedResult window(
            RuleRef rule, String key, long start, long end, double value, long count) {
        return ComparedResult.of(
                rule,
                Result.newBuilder()
                        .setKey(key)
                        .setTime(end - 1)
                        .setWindow(
                                WindowFiring.newBuilder()
                                        .setStart(start)
                                        .setEnd(end)
                                        .setValue(value)
                                        .setCount(count)
                                        .setByWatermark(true))
                        .build());
    }
}
