package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventBatchTest {

    @Test
    void viewReadsBackWhatTheWriterWrote() throws Exception {
        Random random = new Random(42);
        List<EventRecord> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            EventRecord.Builder b =
                    EventRecord.builder(
                            "k" + random.nextInt(50), 1_000_000 + random.nextInt(5000) - 2500);
            if (random.nextBoolean()) {
                b.type(random.nextBoolean() ? "payment" : "refund");
            }
            int attrs = random.nextInt(5);
            for (int a = 0; a < attrs; a++) {
                switch (random.nextInt(5)) {
                    case 0:
                        b.set("s" + a, "v" + random.nextInt(9));
                        break;
                    case 1:
                        b.set("l" + a, random.nextLong());
                        break;
                    case 2:
                        b.set("d" + a, random.nextDouble());
                        break;
                    case 3:
                        b.set("b" + a, random.nextBoolean());
                        break;
                    default:
                        b.set("shared", random.nextInt(3));
                }
            }
            if (i % 97 == 5) {
                b.payload(new byte[] {(byte) i, 7});
            }
            events.add(b.build());
        }
        EventBatchWriter writer = new EventBatchWriter();
        events.forEach(writer::add);
        assertThat(writer.size()).isEqualTo(500);
        byte[] bytes = writer.build(7, true, 123).toByteArray();
        assertThat(writer.estimatedBytes()).isGreaterThan(bytes.length / 2);

        EventBatchView view = new EventBatchView(EventBatch.parseFrom(bytes));
        assertThat(view.size()).isEqualTo(500);
        assertThat(view.sequence()).isEqualTo(7);
        assertThat(view.hasWatermark()).isTrue();
        assertThat(view.watermark()).isEqualTo(123);
        for (int i = 0; i < events.size(); i++) {
            assertThat(EventRecord.copyOf(view.at(i))).isEqualTo(events.get(i));
            assertThat(view.indexOf("shared")).isEqualTo(events.get(i).indexOf("shared"));
        }
        writer.clear();
        assertThat(writer.build(8, false, 0).getKeyCount()).isZero();
    }

    @Test
    void refusesColumnsThatDoNotAddUp() {
        EventBatch broken =
                EventBatch.newBuilder()
                        .addKey("a")
                        .addTimeDelta(1)
                        .addType(0)
                        .addAttributeCount(2)
                        .build();
        assertThatThrownBy(() -> new EventBatchView(broken)).hasMessageContaining("attribute_tag");
    }

    /**
     * Two events, "a" of type "payment" with amount=5 (long), merchant="m" (string), ok=true, and
     * "b" without type with ratio=0.5 (double): every column used, and valid.
     */
    private static EventBatch.Builder twoEvents() {
        return EventBatch.newBuilder()
                .addKey("a")
                .addKey("b")
                .addTimeDelta(1000)
                .addTimeDelta(5)
                .addType(1)
                .addType(0)
                .addTypeNames("payment")
                .addAttributeNames("amount")
                .addAttributeNames("merchant")
                .addAttributeNames("ok")
                .addAttributeNames("ratio")
                .addAttributeCount(3)
                .addAttributeCount(1)
                .addAttributeTag(0 << 3 | AttributeKind.ATTRIBUTE_KIND_LONG_VALUE)
                .addAttributeTag(1 << 3 | AttributeKind.ATTRIBUTE_KIND_STRING_VALUE)
                .addAttributeTag(2 << 3 | AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE)
                .addAttributeTag(3 << 3 | AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE)
                .addLongValues(5)
                .addStringValues("m")
                .addDoubleValues(0.5);
    }

    private static void refused(EventBatch.Builder batch, String column, String problem) {
        assertThatThrownBy(() -> new EventBatchView(batch.build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("event batch: column '" + column + "' does not add up: ")
                .hasMessageContaining(problem);
    }

    @Test
    void theValidBatchOfTheseTestsIsRead() {
        EventBatchView view = new EventBatchView(twoEvents().build());
        assertThat(view.size()).isEqualTo(2);
        assertThat(view.at(0).type()).isEqualTo("payment");
        assertThat(view.at(0).longAt(0)).isEqualTo(5);
        assertThat(view.at(0).stringAt(1)).isEqualTo("m");
        assertThat(view.at(0).booleanAt(2)).isTrue();
        assertThat(view.at(1).time()).isEqualTo(1005);
        assertThat(view.at(1).type()).isNull();
        assertThat(view.at(1).doubleAt(0)).isEqualTo(0.5);
    }

    @Test
    void refusesPerEventColumnsOfAnotherLengthThanTheKeys() {
        refused(twoEvents().addTimeDelta(1), "time_delta", "3 entries, but the batch has 2 events");
        refused(
                twoEvents().clearType().addType(0),
                "type",
                "1 entries, but the batch has 2 events");
        refused(twoEvents().addAttributeCount(0), "attribute_count", "3 entries");
        refused(twoEvents().addPayloads(ByteString.EMPTY), "payloads", "1 entries");
    }

    @Test
    void refusesATypeOutsideTheTypeNames() {
        refused(twoEvents().setType(1, 2), "type", "event 1 has type 2");
        refused(
                twoEvents().setType(0, -1),
                "type",
                "event 0 has type 4294967295 (1 + an index into 'type_names'), but 'type_names'"
                        + " has 1 names");
    }

    @Test
    void refusesAnAttributeNameIndexOutsideTheNames() {
        refused(
                twoEvents().setAttributeTag(3, 4 << 3 | AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE),
                "attribute_tag",
                "tag 3 names attribute 4, but 'attribute_names' has 4 names");
        refused(
                twoEvents().setAttributeTag(0, -1 & ~7 | AttributeKind.ATTRIBUTE_KIND_LONG_VALUE),
                "attribute_tag",
                "tag 0 names attribute 536870911");
    }

    @Test
    void refusesAnEventWithTheSameAttributeTwice() {
        refused(
                twoEvents().setAttributeTag(2, 0 << 3 | AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE),
                "attribute_tag",
                "event 0 has attribute 'amount' twice");
        // the same name in two events is what a batch is made of
        new EventBatchView(
                twoEvents()
                        .setAttributeTag(3, 0 << 3 | AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE)
                        .build());
    }

    @Test
    void refusesANameTwiceInTheNameTable() {
        refused(
                twoEvents().setAttributeNames(3, "amount"),
                "attribute_names",
                "'amount' is in it twice");
    }

    @Test
    void refusesAnAttributeNamedLikeAFieldEveryEventHas() {
        // found by EventBatchViewFuzzTest: an attribute "time" beside the event's time
        for (String field : new String[] {"key", "time", "type"}) {
            refused(
                    twoEvents().setAttributeNames(0, field),
                    "attribute_names",
                    "'" + field + "' is a field every event has, not an attribute name");
        }
        assertThatThrownBy(() -> EventRecord.builder("k", 1).set("time", 2L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'time' is a field every event has");
    }

    @Test
    void refusesAnUnknownAttributeKind() {
        refused(
                twoEvents().setAttributeTag(2, 2 << 3 | 5),
                "attribute_tag",
                "tag 2 has kind 5, which is not one of 0..4");
    }

    @Test
    void refusesAttributeCountsPastTheTags() {
        refused(
                twoEvents().setAttributeCount(0, 5),
                "attribute_count",
                "the attributes of event 0 end at tag 5, past the 4 of 'attribute_tag'");
        refused(
                twoEvents().setAttributeCount(1, 0),
                "attribute_tag",
                "it has 4 tags, but the events' 'attribute_count' add up to 3");
    }

    @Test
    void refusesAttributeCountsWhoseSumOverflowsAnIntToTheTagCount() {
        // 3 + (2^32 - 2) + 3 = 2^32 + 4: as int arithmetic, exactly the 4 tags
        EventBatch.Builder overflowing =
                twoEvents()
                        .clearKey()
                        .addAllKey(List.of("a", "b", "c"))
                        .addTimeDelta(0)
                        .addType(0)
                        .clearAttributeCount()
                        .addAttributeCount(3)
                        .addAttributeCount(-2)
                        .addAttributeCount(3);
        refused(
                overflowing,
                "attribute_count",
                "the attributes of event 1 end at tag 4294967297, past the 4 of 'attribute_tag'");
    }

    @Test
    void refusesValueColumnsOfAnotherLengthThanTheirTags() {
        refused(
                twoEvents().addStringValues("extra"),
                "string_values",
                "it has 2 values, but 1 attribute tags are STRING");
        refused(twoEvents().clearLongValues(), "long_values", "it has 0 values, but 1");
        refused(twoEvents().addDoubleValues(1), "double_values", "it has 2 values, but 1");
    }

    @Test
    void readsTimesWhoseDeltasWrapAsTheWriterWroteThem() throws Exception {
        EventBatchWriter writer = new EventBatchWriter();
        writer.add(EventRecord.builder("a", Long.MIN_VALUE).build());
        writer.add(EventRecord.builder("b", Long.MAX_VALUE).build());
        EventBatchView view = new EventBatchView(writer.build(1, false, 0));
        assertThat(view.at(0).time()).isEqualTo(Long.MIN_VALUE);
        assertThat(view.at(1).time()).isEqualTo(Long.MAX_VALUE);
    }
}
