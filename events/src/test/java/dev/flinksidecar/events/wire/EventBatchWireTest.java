package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.EventBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written encoder ({@link EventBatchWriter}) against the generated classes: its bytes
 * parse to the message the generated builder makes of the same events, and are the very bytes the
 * generated classes write.
 */
class EventBatchWireTest {

    private static final String[] ODD_STRINGS = {
        "",
        "ä",
        "日本語",
        "emoji \uD83D\uDE00",
        "x".repeat(127),
        "y".repeat(128),
        "z".repeat(20_000),
        "lone \uD800 surrogate",
        "ascii then é",
        "\u0000nul",
        "\u007F",
        "\u0080"
    };

    @Test
    void randomBatchesAreTheGeneratedClassesBytes() throws Exception {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            List<EventRecord> events = randomEvents(random, random.nextInt(round < 10 ? 3 : 200));
            int interims = random.nextInt(3);
            int[] positions = new int[interims];
            long[] watermarks = new long[interims];
            EventBatchWriter writer = new EventBatchWriter();
            int next = 0;
            for (int j = 0; j < interims; j++) {
                positions[j] = next + random.nextInt(events.size() - next + 1);
                watermarks[j] = random.nextBoolean() ? random.nextLong() : random.nextInt(100);
                next = positions[j];
            }
            int w = 0;
            for (int i = 0; i <= events.size(); i++) {
                while (w < interims && positions[w] == i) {
                    writer.watermarkAfterEvents(watermarks[w++]);
                }
                if (i < events.size()) {
                    writer.add(events.get(i));
                }
            }
            long sequence = random.nextInt(4) == 0 ? 0 : random.nextLong();
            boolean hasWatermark = random.nextBoolean();
            long watermark = random.nextBoolean() ? Long.MIN_VALUE : random.nextLong();
            // through bytes: a string with an unpaired surrogate is '?' once written
            EventBatch expected =
                    EventBatch.parseFrom(
                            ReferenceEventBatch.of(
                                            events,
                                            sequence,
                                            hasWatermark,
                                            watermark,
                                            positions,
                                            watermarks)
                                    .toByteArray());

            byte[] bytes = writer.bytes(sequence, hasWatermark, watermark);
            assertThat(EventBatch.parseFrom(bytes)).isEqualTo(expected);
            assertThat(bytes).isEqualTo(expected.toByteArray());
            assertThat(writer.build(sequence, hasWatermark, watermark)).isEqualTo(expected);

            byte[] frame = writer.frame(sequence, hasWatermark, watermark);
            ClientMessage message = ClientMessage.newBuilder().setEvents(expected).build();
            assertThat(frame).isEqualTo(Frames.encode(message));
            assertThat(ClientMessage.parseFrom(Arrays.copyOfRange(frame, 4, frame.length)))
                    .isEqualTo(message);
            writer.clear();
        }
    }

    @Test
    void anEmptyBatchIsAnEmptyMessage() throws Exception {
        EventBatchWriter writer = new EventBatchWriter();
        assertThat(writer.bytes(0, false, 0)).isEmpty();
        assertThat(writer.build(5, true, -1))
                .isEqualTo(EventBatch.newBuilder().setSequence(5).setWatermark(-1).build());
        byte[] frame = writer.frame(1, false, 0);
        assertThat(ClientMessage.parseFrom(Arrays.copyOfRange(frame, 4, frame.length)))
                .isEqualTo(
                        ClientMessage.newBuilder()
                                .setEvents(EventBatch.newBuilder().setSequence(1))
                                .build());
    }

    @Test
    void eventsWithoutAttributesOrTypes() throws Exception {
        EventBatchWriter writer = new EventBatchWriter();
        List<EventRecord> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(EventRecord.builder("k" + i, -i).build());
            writer.add(events.get(i));
        }
        assertThat(writer.bytes(9, false, 0))
                .isEqualTo(
                        ReferenceEventBatch.of(events, 9, false, 0, new int[0], new long[0])
                                .toByteArray());
    }

    @Test
    void aBatchNearTheFrameLimitIsTheGeneratedClassesBytes() throws Exception {
        EventBatchWriter writer = new EventBatchWriter();
        List<EventRecord> events = new ArrayList<>();
        String big = "v".repeat(1 << 20);
        for (int i = 0; i < 15; i++) {
            events.add(EventRecord.builder("key-" + i, i).set("blob", big + i).build());
            writer.add(events.get(i));
        }
        byte[] frame = writer.frame(3, false, 0);
        assertThat(frame.length)
                .isGreaterThan(15 << 20)
                .isLessThan(Protocol.DEFAULT_MAX_FRAME_BYTES);
        assertThat(frame)
                .isEqualTo(
                        Frames.encode(
                                ClientMessage.newBuilder()
                                        .setEvents(
                                                ReferenceEventBatch.of(
                                                        events,
                                                        3,
                                                        false,
                                                        0,
                                                        new int[0],
                                                        new long[0]))
                                        .build()));
    }

    @Test
    void aPayloadAfterEventsWithoutGivesThemEmptyOnes() throws Exception {
        EventBatchWriter writer = new EventBatchWriter();
        List<EventRecord> events =
                List.of(
                        EventRecord.builder("a", 1).build(),
                        EventRecord.builder("b", 2).build(),
                        EventRecord.builder("c", 3).payload(new byte[] {1, 2}).build(),
                        EventRecord.builder("d", 4).build());
        events.forEach(writer::add);
        EventBatch batch = writer.build(1, false, 0);
        assertThat(batch.getPayloadsCount()).isEqualTo(4);
        assertThat(batch)
                .isEqualTo(ReferenceEventBatch.of(events, 1, false, 0, new int[0], new long[0]));
    }

    static List<EventRecord> randomEvents(Random random, int count) {
        List<EventRecord> events = new ArrayList<>();
        boolean payloads = random.nextInt(4) == 0;
        long time = random.nextBoolean() ? random.nextLong() : 1_767_225_600_000L;
        for (int i = 0; i < count; i++) {
            time += random.nextInt(10) == 0 ? random.nextLong() : random.nextInt(2000) - 500;
            EventRecord.Builder b = EventRecord.builder(string(random, "card-"), time);
            if (random.nextInt(3) > 0) {
                b.type(random.nextBoolean() ? "payment" : string(random, "t"));
            }
            int attributes = random.nextInt(7);
            for (int a = 0; a < attributes; a++) {
                String name = random.nextInt(5) == 0 ? string(random, "n") : "a" + a;
                switch (random.nextInt(4)) {
                    case 0:
                        b.set(name, string(random, ""));
                        break;
                    case 1:
                        b.set(name, random.nextBoolean() ? random.nextLong() : random.nextInt(99));
                        break;
                    case 2:
                        double d = random.nextDouble() * 1e6;
                        b.set(name, random.nextInt(20) == 0 ? Double.NaN : d);
                        break;
                    default:
                        b.set(name, random.nextBoolean());
                }
            }
            if (payloads && random.nextInt(3) == 0) {
                byte[] payload = new byte[random.nextInt(40)];
                random.nextBytes(payload);
                b.payload(payload);
            }
            events.add(b.build());
        }
        return events;
    }

    private static String string(Random random, String prefix) {
        return random.nextInt(8) == 0
                ? prefix + ODD_STRINGS[random.nextInt(ODD_STRINGS.length)]
                : prefix + random.nextInt(1000);
    }
}
