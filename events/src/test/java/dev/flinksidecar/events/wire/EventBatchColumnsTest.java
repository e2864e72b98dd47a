package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.Event;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written decoder ({@link EventBatchColumns}, read through {@link EventBatchView}) against
 * what the generated classes write, and against the other encodings protobuf allows.
 */
class EventBatchColumnsTest {

    @Test
    void readsWhatTheGeneratedClassesWrite() throws Exception {
        Random random = new Random(5);
        for (int round = 0; round < 300; round++) {
            List<EventRecord> events =
                    EventBatchWireTest.randomEvents(random, random.nextInt(round < 10 ? 3 : 200));
            EventBatch batch =
                    ReferenceEventBatch.of(
                            events, random.nextLong(), true, -7, new int[] {0}, new long[] {3});
            byte[] bytes = batch.toByteArray();
            EventBatch parsed = EventBatch.parseFrom(bytes); // unpaired surrogates are '?' now
            EventBatchView view = new EventBatchView(EventBatchColumns.read(bytes));
            assertThat(view.size()).isEqualTo(events.size());
            assertThat(view.sequence()).isEqualTo(batch.getSequence());
            assertThat(view.hasWatermark()).isTrue();
            assertThat(view.watermark()).isEqualTo(-7);
            assertThat(view.interimPositionCount()).isEqualTo(1);
            assertThat(view.interimWatermark(0)).isEqualTo(3);
            for (int i = 0; i < events.size(); i++) {
                sameEvent(view.at(i), events.get(i), parsed, i);
            }
        }
    }

    private static void sameEvent(Event read, Event written, EventBatch parsed, int index) {
        assertThat(read.key()).isEqualTo(parsed.getKey(index));
        assertThat(read.time()).isEqualTo(written.time());
        assertThat(read.type() == null).isEqualTo(written.type() == null);
        assertThat(read.payload()).isEqualTo(written.payload());
        assertThat(read.attributeCount()).isEqualTo(written.attributeCount());
        for (int a = 0; a < written.attributeCount(); a++) {
            assertThat(read.attributeType(a)).isEqualTo(written.attributeType(a));
            switch (written.attributeType(a)) {
                case LONG:
                    assertThat(read.longAt(a)).isEqualTo(written.longAt(a));
                    break;
                case DOUBLE:
                    assertThat(Double.doubleToRawLongBits(read.doubleAt(a)))
                            .isEqualTo(Double.doubleToRawLongBits(written.doubleAt(a)));
                    break;
                case BOOLEAN:
                    assertThat(read.booleanAt(a)).isEqualTo(written.booleanAt(a));
                    break;
                default:
                    assertThat(read.stringAt(a)).isNotNull();
            }
        }
    }

    @Test
    void readsUnpackedNumbersFieldsInAnyOrderAndPiecesAndSkipsUnknownFields() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt64(1, 99); // sequence, later overwritten
        out.writeString(6, "amount"); // attribute_names before the events
        out.writeSInt64(9, -5); // long_values, unpacked
        out.writeString(2, "k1");
        out.writeSInt64(3, 1000); // time_delta, unpacked
        out.writeUInt32(4, 1); // type, unpacked
        out.writeString(5, "payment");
        out.writeUInt32(7, 1);
        out.writeUInt32(8, 0 << 3 | AttributeKind.ATTRIBUTE_KIND_LONG_VALUE);
        out.writeString(77, "an unknown field");
        out.writeFixed32(78, 7);
        out.writeGroup(
                79,
                UnknownFieldSet.newBuilder()
                        .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(3).build())
                        .build());
        out.writeString(2, "k2");
        out.writeSInt64(3, 1); // a second piece of the column
        out.writeUInt32(4, 0);
        out.writeUInt32(7, 0);
        out.writeDouble(10, 1.5); // a double with no tag naming it: values must add up, see below
        out.writeUInt64(1, 7);
        out.writeUInt64(2, 5); // a key of another wire type: an unknown field
        out.flush();
        byte[] wire = bytes.toByteArray();
        EventBatch generated = EventBatch.parseFrom(wire);
        EventBatchColumns columns = EventBatchColumns.read(wire);
        assertThat(columns.sequence()).isEqualTo(generated.getSequence()).isEqualTo(7);
        assertThat(columns.size()).isEqualTo(generated.getKeyCount()).isEqualTo(2);
        assertThat(columns.doubleValueCount).isEqualTo(generated.getDoubleValuesCount());
        assertThatThrownBy(() -> new EventBatchView(columns))
                .hasMessageContaining("'double_values'");

        EventBatch withoutDouble = generated.toBuilder().clearDoubleValues().build();
        EventBatchView view =
                new EventBatchView(EventBatchColumns.read(withoutDouble.toByteArray()));
        assertThat(view.at(0).key()).isEqualTo("k1");
        assertThat(view.time()).isEqualTo(1000);
        assertThat(view.type()).isEqualTo("payment");
        assertThat(view.longAt(0)).isEqualTo(-5);
        assertThat(view.at(1).key()).isEqualTo("k2");
        assertThat(view.time()).isEqualTo(1001);
        assertThat(view.type()).isNull();
        assertThat(view.attributeCount()).isZero();
    }

    @Test
    void anEmptyBatchHasNoEvents() throws Exception {
        EventBatchView view = new EventBatchView(EventBatchColumns.read(new byte[0]));
        assertThat(view.size()).isZero();
        assertThat(view.sequence()).isZero();
        assertThat(view.hasWatermark()).isFalse();
    }

    @Test
    void unicodeKeysAndValuesComeBackWhole() throws Exception {
        EventRecord event =
                EventRecord.builder("ключ-\uD83D\uDE00", 1)
                        .set("名前", "値 é")
                        .payload(new byte[] {0, -1})
                        .build();
        EventBatchWriter writer = new EventBatchWriter();
        writer.add(event);
        EventBatchView view =
                new EventBatchView(EventBatchColumns.read(writer.bytes(1, false, 0))).at(0);
        assertThat(EventRecord.copyOf(view)).isEqualTo(event);
    }

    @Test
    void refusesBytesTheGeneratedParserRefuses() {
        byte[] invalidUtf8 = {0x12, 0x02, (byte) 0xC3, 0x28}; // key: a broken two-byte sequence
        byte[] truncated = {0x12, 0x05, 'a'}; // key: 5 bytes announced, 1 there
        byte[] badWireType = {0x0F}; // field 1, wire type 7
        byte[] longVarint = {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0};
        byte[] packedDoublesOfSeven = {0x52, 0x07, 1, 2, 3, 4, 5, 6, 7};
        // types, packed in 1 byte, whose last varint goes on past it
        byte[] varintPastPackedEnd = {0x22, 0x01, (byte) 0x80, 0x01};
        byte[] timeDeltaPastPackedEnd = {0x1A, 0x02, 0x02, (byte) 0x80, 0x01};
        // keys one after the other, the second truncated or not UTF-8
        byte[] secondKeyTruncated = {0x12, 0x01, 'a', 0x12, 0x05, 'b'};
        byte[] secondKeyInvalidUtf8 = {0x12, 0x01, 'a', 0x12, 0x02, (byte) 0xC3, 0x28};
        for (byte[] bad :
                List.of(
                        invalidUtf8,
                        truncated,
                        badWireType,
                        longVarint,
                        packedDoublesOfSeven,
                        varintPastPackedEnd,
                        timeDeltaPastPackedEnd,
                        secondKeyTruncated,
                        secondKeyInvalidUtf8)) {
            assertThatThrownBy(() -> EventBatch.parseFrom(bad))
                    .isInstanceOf(InvalidProtocolBufferException.class);
            assertThatThrownBy(() -> EventBatchColumns.read(bad))
                    .isInstanceOf(InvalidProtocolBufferException.class);
        }
    }

    @Test
    void readsEmptyPackedFieldsAsTheGeneratedParserDoes() throws Exception {
        // every packed number column present with length 0: valid, and no entries
        byte[] wire = {0x1A, 0x00, 0x22, 0x00, 0x3A, 0x00, 0x42, 0x00, 0x4A, 0x00, 0x52, 0x00};
        EventBatch generated = EventBatch.parseFrom(wire);
        EventBatchColumns columns = EventBatchColumns.read(wire);
        assertThat(columns.timeDeltaCount()).isEqualTo(generated.getTimeDeltaCount()).isZero();
        assertThat(columns.typeCount()).isEqualTo(generated.getTypeCount()).isZero();
        assertThat(columns.doubleValueCount).isEqualTo(generated.getDoubleValuesCount()).isZero();
        assertThat(new EventBatchView(columns).size()).isZero();
    }

    @Test
    void stopsReadingWhenTheColumnsWouldTakeMoreHeapThanItsLimit() throws Exception {
        // 100,000 packed one-byte time deltas: 100 KB on the wire, 800 KB and more as longs
        int deltas = 100_000;
        byte[] wire = new byte[1 + 3 + deltas];
        wire[0] = 0x1A; // time_delta, packed
        wire[1] = (byte) (deltas & 0x7F | 0x80);
        wire[2] = (byte) (deltas >>> 7 & 0x7F | 0x80);
        wire[3] = (byte) (deltas >>> 14);
        assertThat(EventBatch.parseFrom(wire).getTimeDeltaCount()).isEqualTo(deltas);

        assertThatThrownBy(() -> EventBatchColumns.read(wire, 0, wire.length, 500_000))
                .isInstanceOf(EventBatchColumns.HeapLimitException.class)
                .hasMessageContaining("more than 500000 bytes of heap");
        EventBatchColumns whole = EventBatchColumns.read(wire, 0, wire.length, 4_000_000);
        assertThat(whole.timeDeltaCount()).isEqualTo(deltas);
        assertThat(whole.heapBytes()).isBetween(8L * deltas, 4_000_000L);
    }

    @Test
    void countsTheHeapOfEveryColumnItRead() throws Exception {
        EventBatchWriter writer = new EventBatchWriter();
        long small = 0;
        for (int i = 0; i < 1000; i++) {
            writer.add(
                    EventRecord.builder("key-" + i, i).set("amount", i).set("note", "n").build());
            if (i == 9) {
                small = EventBatchColumns.read(writer.bytes(1, false, 0)).heapBytes();
            }
        }
        long large = EventBatchColumns.read(writer.bytes(1, false, 0)).heapBytes();
        // a thousand events: at least a key place (two ints), a delta, a type and a count each
        assertThat(large).isGreaterThan(1000L * (8 + 8 + 4 + 4)).isGreaterThan(small * 20);
    }

    @Test
    void payloadsAreCopiedOut() throws Exception {
        EventBatch batch =
                EventBatch.newBuilder()
                        .addKey("a")
                        .addTimeDelta(0)
                        .addType(0)
                        .addAttributeCount(0)
                        .addPayloads(ByteString.copyFrom(new byte[] {9, 8}))
                        .build();
        EventBatchView view = new EventBatchView(EventBatchColumns.read(batch.toByteArray()));
        byte[] payload = view.at(0).payload();
        payload[0] = 0;
        assertThat(view.payload()).containsExactly(9, 8);
    }
}
