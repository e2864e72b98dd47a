package dev.flinksidecar.sidecar.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.RuleRef;
import org.junit.jupiter.api.Test;

/** {@link Tolerance}: numbers within a relative tolerance, everything else exactly. */
class ToleranceTest {

    private static final RuleRef RULE = RuleRef.newBuilder().setId("r").setVersion("1").build();

    @Test
    void numbersAgreeWithinTheRelativeTolerance() {
        Tolerance tolerance = new Tolerance(1e-6);
        assertThat(tolerance.sameNumber(1000.0, 1000.0009)).isTrue();
        assertThat(tolerance.sameNumber(1000.0, 1000.0011)).isFalse();
        assertThat(tolerance.sameNumber(0.0, 0.0)).isTrue();
        assertThat(tolerance.sameNumber(0.0, 1e-300)).isFalse();
        assertThat(tolerance.sameNumber(Double.NaN, Double.NaN)).isTrue();
        assertThat(tolerance.sameNumber(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY))
                .isTrue();
        assertThat(tolerance.sameNumber(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY))
                .isFalse();
        assertThat(tolerance.sameNumber(1.0, Double.NaN)).isFalse();
    }

    @Test
    void integersAndDoublesCompareByValueOtherTypesExactly() {
        Tolerance tolerance = new Tolerance(1e-9);
        assertThat(
                        tolerance.agree(
                                result(number("n", 3L), text("s", "x")),
                                result(
                                        text("s", "x"),
                                        Attribute.newBuilder().setName("n").setDoubleValue(3.0))))
                .isTrue();
        assertThat(tolerance.agree(result(text("s", "x")), result(text("s", "y")))).isFalse();
        assertThat(tolerance.agree(result(text("s", "1")), result(number("s", 1L)))).isFalse();
        assertThat(tolerance.agree(result(number("n", 1L)), result(number("m", 1L)))).isFalse();
        assertThat(tolerance.agree(result(number("n", 1L)), result(number("n", 1L), text("s", ""))))
                .isFalse();
        assertThat(
                        tolerance.agree(
                                result(Attribute.newBuilder().setName("b").setBoolValue(true)),
                                result(Attribute.newBuilder().setName("b").setBoolValue(false))))
                .isFalse();
    }

    @Test
    void aNegativeOrMissingToleranceIsRefused() {
        assertThatThrownBy(() -> new Tolerance(-1)).hasMessageContaining(">= 0, not -1.0");
        assertThatThrownBy(() -> new Tolerance(Double.NaN)).hasMessageContaining("not NaN");
    }

    private static Attribute.Builder number(String name, long value) {
        return Attribute.newBuilder().setName(name).setLongValue(value);
    }

    private static Attribute.Builder text(String name, String value) {
        return Attribute.newBuilder().setName(name).setStringValue(value);
    }

    private static ComparedResult result(Attribute.Builder... attributes) {
        Result.Builder result = Result.newBuilder().setKey("k").setTime(1);
        for (Attribute.Builder attribute : attributes) {
            result.addAttributes(attribute);
        }
        return ComparedResult.of(RULE, result.build());
    }
}
