package dev.flinksidecar.events.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() throws Exception {
        Object value =
                Json.parse(
                        " {\"a\": [1, 2.5, -3e2, true, false, null], \"b\": {\"c\": \"x\\n\\u0041\"}} ");
        assertThat(value)
                .isEqualTo(
                        Map.of(
                                "a", java.util.Arrays.asList(1L, 2.5, -300.0, true, false, null),
                                "b", Map.of("c", "x\nA")));
    }

    @Test
    void rejectsWithPosition() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}"))
                .hasMessage("not valid JSON: expected a field name in quotes at column 8");
        assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).hasMessageContaining("after the value");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}"))
                .hasMessageContaining("duplicate field 'a'");
        assertThatThrownBy(() -> Json.parse("\"abc")).hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> Json.parse("01x")).isInstanceOf(JsonException.class);
    }

    @Test
    void refusesNestingPastTheLimitInsteadOfOverflowingTheStack() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep))
                .isInstanceOf(JsonException.class)
                .hasMessage("not valid JSON: nested deeper than 64 levels at column 65");
        assertThatThrownBy(() -> Json.parse("{\"a\":".repeat(100_000)))
                .hasMessageContaining("nested deeper than 64 levels");
        String limit = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse("{\"a\":" + limit.substring(1, limit.length() - 1) + "}"))
                .isInstanceOf(Map.class);
    }

    @Test
    void writesHalfSurrogatePairsAsEscapesSoTheOutputIsUtf8() throws Exception {
        StringBuilder out = new StringBuilder();
        JsonWriter.string(out, "a\ud800b\udc00c\uD83D\uDE00");
        assertThat(out.toString()).isEqualTo("\"a\\ud800b\\udc00c\uD83D\uDE00\"");
        assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(out)).isTrue();
    }

    @Test
    void escapesWhatItWrites() throws Exception {
        StringBuilder out = new StringBuilder();
        JsonWriter.string(out, "q\"b\\n\n\u0001");
        assertThat(out.toString()).isEqualTo("\"q\\\"b\\\\n\\n\\u0001\"");
        assertThat(Json.parse(out.toString())).isEqualTo("q\"b\\n\n\u0001");
        assertThat(List.of()).isEmpty();
    }
}
