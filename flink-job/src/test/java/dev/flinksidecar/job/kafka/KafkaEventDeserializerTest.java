package dev.flinksidecar.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventProtos;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.source.InputRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Record values as events, or as dead letters naming topic, partition and offset. */
class KafkaEventDeserializerTest {

    private static final EventRecord EVENT =
            EventRecord.builder("card-1", 1_767_225_600_123L)
                    .type("payment")
                    .set("amount", 12.5)
                    .set("merchant", "acme")
                    .build();

    @Test
    void aJsonValueIsAnEvent() {
        InputRecord record =
                one(
                        KafkaInput.Format.JSON,
                        "payments",
                        2,
                        17,
                        "{\"key\":\"card-1\",\"time\":1767225600123,\"type\":\"payment\",\"amount\":12.5,\"merchant\":\"acme\"}\n"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(record.event()).isEqualTo(EVENT);
    }

    @Test
    void aProtobufValueIsAnEvent() {
        InputRecord record =
                one(
                        KafkaInput.Format.PROTOBUF,
                        "payments",
                        0,
                        3,
                        EventProtos.toProto(EVENT).toByteArray());
        assertThat(record.event()).isEqualTo(EVENT);
    }

    @Test
    void aMalformedJsonValueIsADeadLetterWithTopicPartitionAndOffset() {
        InputRecord record =
                one(
                        KafkaInput.Format.JSON,
                        "payments",
                        2,
                        1234,
                        "{\"time\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(record.event()).isNull();
        assertThat(record.deadLetter())
                .isEqualTo(
                        "{\"topic\":\"payments\",\"partition\":2,\"offset\":1234,"
                                + "\"reason\":\"payments partition 2 offset 1234: missing field 'key'\",\"raw\":\"{\\\"time\\\":1}\"}");
    }

    @Test
    void aValueThatIsNoProtobufEventIsADeadLetter() {
        InputRecord record =
                one(KafkaInput.Format.PROTOBUF, "payments", 1, 9, new byte[] {(byte) 0xff, 1, 2});
        assertThat(record.deadLetter())
                .contains("\"reason\":\"payments partition 1 offset 9: not a protobuf Event");
    }

    @Test
    void aTombstoneIsADeadLetter() {
        InputRecord record = one(KafkaInput.Format.JSON, "payments", 0, 5, null);
        assertThat(record.deadLetter())
                .contains("payments partition 0 offset 5: a record without a value");
    }

    @Test
    void outputLinesAreKeyedByTheirEventsKey() {
        assertThat(KeyedLineSerializer.keyOf("{\"rule\":\"r\",\"key\":\"card-1\",\"time\":1}"))
                .isEqualTo("card-1");
        assertThat(
                        KeyedLineSerializer.keyOf(
                                "{\"rule\":\"r\",\"version\":\"1\",\"event\":{\"key\":\"card-2\"}}"))
                .isEqualTo("card-2");
        assertThat(
                        KeyedLineSerializer.keyOf(
                                "{\"topic\":\"t\",\"partition\":0,\"offset\":1,\"reason\":\"x\"}"))
                .isNull();
        assertThat(KeyedLineSerializer.keyOf("not json")).isNull();
    }

    private static InputRecord one(
            KafkaInput.Format format, String topic, int partition, long offset, byte[] value) {
        List<InputRecord> out = new ArrayList<>();
        new KafkaEventDeserializer(format)
                .deserialize(
                        new ConsumerRecord<>(topic, partition, offset, null, value),
                        new Collector<>() {
                            @Override
                            public void collect(InputRecord record) {
                                out.add(record);
                            }

                            @Override
                            public void close() {}
                        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
