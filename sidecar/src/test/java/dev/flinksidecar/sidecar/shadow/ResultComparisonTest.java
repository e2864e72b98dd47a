package dev.flinksidecar.sidecar.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.WindowFiring;
import dev.flinksidecar.sidecar.shadow.ResultComparison.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultComparisonTest {

    private static Result result(String key, long time, double value) {
        return Result.newBuilder()
                .setKey(key)
                .setTime(time)
                .addAttributes(Attribute.newBuilder().setName("value").setDoubleValue(value))
                .build();
    }

    private static Result window(String key, long start, long end, double value, long count) {
        return Result.newBuilder()
                .setKey(key)
                .setTime(end - 1)
                .setWindow(
                        WindowFiring.newBuilder()
                                .setStart(start)
                                .setEnd(end)
                                .setValue(value)
                                .setCount(count))
                .build();
    }

    @Test
    void sameResultsAgree() {
        ResultComparison.Outcomes outcomes =
                ResultComparison.compare(
                        List.of(result("a", 1, 10), result("b", 2, 20)),
                        List.of(result("b", 2, 20), result("a", 1, 10)));

        assertThat(outcomes.agree()).isEqualTo(2);
        assertThat(outcomes.differences()).isEmpty();
    }

    @Test
    void eachResultIsAgreeAddedRemovedOrChanged() {
        ResultComparison.Outcomes outcomes =
                ResultComparison.compare(
                        List.of(result("a", 1, 10), result("b", 2, 20), result("c", 3, 30)),
                        List.of(result("a", 1, 10), result("b", 2, 21), result("d", 4, 40)));

        assertThat(outcomes.agree()).isEqualTo(1);
        assertThat(outcomes.changed()).isEqualTo(1);
        assertThat(outcomes.removed()).isEqualTo(1);
        assertThat(outcomes.added()).isEqualTo(1);
        assertThat(outcomes.differences())
                .extracting(ResultComparison.Difference::outcome)
                .containsExactly(Outcome.CHANGED, Outcome.REMOVED, Outcome.ADDED);
        assertThat(outcomes.differences().get(1).active().getKey()).isEqualTo("c");
        assertThat(outcomes.differences().get(2).candidate().getKey()).isEqualTo("d");
    }

    @Test
    void numbersWithinTheRelativeToleranceAgreeAndLongsEqualDoubles() {
        Result longValue =
                Result.newBuilder()
                        .setKey("a")
                        .setTime(1)
                        .addAttributes(Attribute.newBuilder().setName("value").setLongValue(3))
                        .build();

        assertThat(
                        ResultComparison.compare(
                                        List.of(result("a", 1, 1e12)),
                                        List.of(result("a", 1, 1e12 + 1e-1)))
                                .agree())
                .isEqualTo(1);
        assertThat(
                        ResultComparison.compare(
                                        List.of(result("a", 1, 1.0)),
                                        List.of(result("a", 1, 1.001)))
                                .changed())
                .isEqualTo(1);
        assertThat(
                        ResultComparison.compare(List.of(longValue), List.of(result("a", 1, 3.0)))
                                .agree())
                .isEqualTo(1);
    }

    @Test
    void attributesMatchByNameWhateverTheirOrder() {
        Result ab =
                Result.newBuilder()
                        .setKey("a")
                        .addAttributes(Attribute.newBuilder().setName("x").setStringValue("1"))
                        .addAttributes(Attribute.newBuilder().setName("y").setBoolValue(true))
                        .build();
        Result ba =
                Result.newBuilder()
                        .setKey("a")
                        .addAttributes(Attribute.newBuilder().setName("y").setBoolValue(true))
                        .addAttributes(Attribute.newBuilder().setName("x").setStringValue("1"))
                        .build();
        Result other =
                Result.newBuilder()
                        .setKey("a")
                        .addAttributes(Attribute.newBuilder().setName("y").setBoolValue(false))
                        .addAttributes(Attribute.newBuilder().setName("x").setStringValue("1"))
                        .build();

        assertThat(ResultComparison.compare(List.of(ab), List.of(ba)).agree()).isEqualTo(1);
        assertThat(ResultComparison.compare(List.of(ab), List.of(other)).changed()).isEqualTo(1);
    }

    @Test
    void windowResultsMatchByKeyAndWindowAndCompareValueAndCount() {
        ResultComparison.Outcomes outcomes =
                ResultComparison.compare(
                        List.of(
                                window("a", 0, 10, 5, 2),
                                window("a", 10, 20, 7, 1),
                                window("b", 0, 10, 1, 1)),
                        List.of(
                                window("a", 0, 10, 5, 2),
                                window("a", 10, 20, 7, 2),
                                window("b", 0, 5, 1, 1)));

        assertThat(outcomes.agree()).isEqualTo(1);
        assertThat(outcomes.changed()).isEqualTo(1);
        assertThat(outcomes.removed()).isEqualTo(1);
        assertThat(outcomes.added()).isEqualTo(1);
    }

    @Test
    void resultsWithTheSameKeyAndTimeMatchInOrder() {
        ResultComparison.Outcomes outcomes =
                ResultComparison.compare(
                        List.of(result("a", 1, 10), result("a", 1, 11), result("a", 1, 12)),
                        List.of(result("a", 1, 10), result("a", 1, 11)));

        assertThat(outcomes.agree()).isEqualTo(2);
        assertThat(outcomes.removed()).isEqualTo(1);
        assertThat(outcomes.differences().get(0).active().getAttributes(0).getDoubleValue())
                .isEqualTo(12);
    }
}
