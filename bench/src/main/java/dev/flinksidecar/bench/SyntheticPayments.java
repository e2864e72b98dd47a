package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Payment-like events for benchmarks: a key, a time, a type and five typed attributes. */
public final class SyntheticPayments {

    private static final String[] MERCHANTS = {
        "acme", "globex", "initech", "umbrella", "hooli", "vandelay"
    };
    private static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "NL"};

    private SyntheticPayments() {}

    /** Event number {@code i} of a deterministic stream over {@code keys} keys. */
    public static EventRecord event(long i, int keys) {
        int h = (int) (i * 0x9E3779B1L >>> 7);
        return EventRecord.builder("card-" + Math.floorMod(h, keys), 1_767_225_600_000L + i)
                .type("payment")
                .set("amount", Math.floorMod(h, 150_000) / 100.0)
                .set("merchant", MERCHANTS[Math.floorMod(h >>> 3, MERCHANTS.length)])
                .set("country", COUNTRIES[Math.floorMod(h >>> 5, COUNTRIES.length)])
                .set("channel", (h & 1) == 0 ? "web" : "pos")
                .set("card_present", (h & 2) == 0)
                .build();
    }

    /** {@code count} events from a seeded start. */
    public static List<EventRecord> events(Random random, int count, int keys) {
        long start = random.nextInt(1_000_000);
        List<EventRecord> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(event(start + i, keys));
        }
        return list;
    }
}
