package dev.flinksidecar.rule;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultTest {

    @Test
    void keepsAttributesInOrderAndReplacesInPlace() {
        Result result = Result.of("k", 5).set("a", 1L).set("b", "x").set("c", 2.5).set("d", true);
        for (int i = 0; i < 10; i++) {
            result.set("n" + i, i);
        }
        result.set("a", "now a string");
        assertThat(result.attributeCount()).isEqualTo(14);
        assertThat(result.attributeName(0)).isEqualTo("a");
        assertThat(result.attributeType(0)).isEqualTo(AttributeType.STRING);
        assertThat(result.stringAt(0)).isEqualTo("now a string");
        assertThat(result.getNumber("c", 0)).isEqualTo(2.5);
        assertThat(result.getBoolean("d", false)).isTrue();
        assertThat(result.longAt(result.indexOf("n9"))).isEqualTo(9);
        assertThat(result.getString("missing")).isNull();
    }

    @Test
    void copiesFromOtherAttributes() {
        Result source = Result.of("k", 1).set("s", "v").set("l", 3L).set("d", 0.5).set("b", false);
        Result copy = Result.of("k", 1);
        for (int i = 0; i < source.attributeCount(); i++) {
            copy.copy(source, i);
        }
        assertThat(copy.toString()).isEqualTo(source.toString());
    }
}
