package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
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
}
