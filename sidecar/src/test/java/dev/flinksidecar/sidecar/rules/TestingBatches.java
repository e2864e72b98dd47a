package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.EventBatch;

/** Event batches for tests: {@code key:amount} pairs, times 1000, 1001, ... */
public final class TestingBatches {

    private TestingBatches() {}

    /** A batch with one event per {@code key=amount} entry, e.g. {@code "card-1=50", "card-2=500", "bad"}. */
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
}
