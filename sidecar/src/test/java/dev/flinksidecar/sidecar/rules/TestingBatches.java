package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.EventBatch;

/** Event batches for tests: {@code key:amount} pairs, times 1000, 1001, ... */
public final class TestingBatches {

    private TestingBatches() {}

    /**
     * A batch with one event per {@code key=amount} entry, e.g. {@code "card-1=50", "card-2=500",
     * "bad"}.
     */
    public static EventBatch batch(long sequence, String... events) {
        EventBatchWriter writer = new EventBatchWriter();
        long time = 1000;
        for (String event : events) {
            String[] parts = event.split("=", 2);
            EventRecord.Builder record = EventRecord.builder(parts[0], time++).type("payment");
            if (parts.length == 2) {
                record.set("amount", Long.parseLong(parts[1]));
            }
            writer.add(record.build());
        }
        return writer.build(sequence, false, 0);
    }

    /**
     * A batch of events written {@code key@time=amount} (type payment), then the watermark {@code
     * watermark} (none when null).
     */
    public static EventBatch timed(long sequence, Long watermark, String... events) {
        EventBatchWriter writer = new EventBatchWriter();
        for (String event : events) {
            String[] parts = event.split("[@=]");
            writer.add(
                    EventRecord.builder(parts[0], Long.parseLong(parts[1]))
                            .type("payment")
                            .set("amount", Long.parseLong(parts[2]))
                            .build());
        }
        return writer.build(sequence, watermark != null, watermark == null ? 0 : watermark);
    }
}
