package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.AttributeType;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void readsTypedAttributesInOrder() throws Exception {
        EventRecord event =
                EventJson.parse(
                        "{\"key\":\"card-1\",\"time\":1000,\"type\":\"payment\",\"amount\":12.50,\"n\":3,\"m\":\"acme\",\"ok\":true}");
        assertThat(event.key()).isEqualTo("card-1");
        assertThat(event.time()).isEqualTo(1000);
        assertThat(event.type()).isEqualTo("payment");
        assertThat(event.attributeCount()).isEqualTo(4);
        assertThat(event.attributeType(0)).isEqualTo(AttributeType.DOUBLE);
        assertThat(event.doubleAt(0)).isEqualTo(12.5);
        assertThat(event.attributeType(1)).isEqualTo(AttributeType.LONG);
        assertThat(event.longAt(1)).isEqualTo(3);
        assertThat(event.getString("m")).isEqualTo("acme");
        assertThat(event.getBoolean("ok", false)).isTrue();
        assertThat(event.getNumber("n", -1)).isEqualTo(3.0);
    }

    @Test
    void readsIsoInstantsAndOffsets() throws Exception {
        assertThat(EventJson.parse("{\"key\":\"k\",\"time\":\"2026-01-01T00:00:01.250Z\"}").time())
                .isEqualTo(1767225601250L);
        assertThat(
                        EventJson.parse(
                                        "{\"key\":\"k\",\"time\":\"2026-01-01T01:00:01.250+01:00\"}")
                                .time())
                .isEqualTo(1767225601250L);
    }

    @Test
    void writesWhatItReads() throws Exception {
        String line =
                "{\"key\":\"k\\\"q\",\"time\":5,\"type\":\"t\",\"a\":1.5,\"b\":-2,\"c\":\"x\",\"d\":false}";
        assertThat(EventJson.toJson(EventJson.parse(line))).isEqualTo(line);
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> EventJson.parse("{\"time\":1}")).hasMessage("missing field 'key'");
        assertThatThrownBy(() -> EventJson.parse("{\"key\":\"\",\"time\":1}"))
                .hasMessageContaining("non-empty string");
        assertThatThrownBy(() -> EventJson.parse("{\"key\":\"k\"}"))
                .hasMessage("missing field 'time'");
        assertThatThrownBy(() -> EventJson.parse("{\"key\":\"k\",\"time\":\"yesterday\"}"))
                .hasMessageContaining("\"yesterday\"");
        assertThatThrownBy(() -> EventJson.parse("{\"key\":\"k\",\"time\":1,\"x\":[1]}"))
                .hasMessageContaining("field 'x' is an array");
        assertThatThrownBy(() -> EventJson.parse("{\"key\":\"k\","))
                .hasMessageStartingWith("not valid JSON");
        assertThatThrownBy(() -> EventJson.parse("[1]"))
                .hasMessageContaining("expected a JSON object");
    }
}
