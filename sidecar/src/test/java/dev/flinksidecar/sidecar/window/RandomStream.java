package dev.flinksidecar.sidecar.window;

import dev.flinksidecar.events.EventRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded random stream for the differential tests: many keys, events out of order (most within
 * the out-of-orderness, some far beyond it, so they are late), duplicate times, times on window
 * boundaries, gaps of silence, events of another type that filters drop, negative times; with the
 * watermarks of either {@code replay} (after every event) or a periodic generator (after every few
 * events), always {@code largest time - out-of-orderness - 1}, then a final {@code Long.MAX_VALUE}.
 */
public final class RandomStream {

    /** No watermark after this event. */
    public static final long NONE = Long.MIN_VALUE;

    public final List<EventRecord> events = new ArrayList<>();

    /** The watermark after event i, or {@link #NONE}; strictly increasing where set. */
    public final long[] watermarkAfter;

    public RandomStream(long seed) {
        Random random = new Random(seed);
        int size = 200 + random.nextInt(800);
        int keys = 1 + random.nextInt(random.nextBoolean() ? 4 : 25);
        long outOfOrderness = random.nextInt(4) == 0 ? 0 : random.nextInt(1200);
        boolean perEvent = random.nextBoolean();
        long base = random.nextInt(4) == 0 ? -30_000 : 1_767_225_600_000L + random.nextInt(100_000);
        watermarkAfter = new long[size];
        long maxTime = Long.MIN_VALUE;
        long watermark = Long.MIN_VALUE;
        int untilNextWatermark = 1;
        long previous = base;
        for (int i = 0; i < size; i++) {
            base += random.nextInt(10) == 0 ? 0 : random.nextInt(250);
            if (random.nextInt(60) == 0) {
                base += 3_000 + random.nextInt(15_000); // silence: gap windows end, windows fire
            }
            long time;
            int kind = random.nextInt(100);
            if (kind < 6) {
                time = previous; // the same time twice
            } else if (kind < 16) {
                time = base - random.nextInt(6_000); // far behind: late for some windows
            } else if (kind < 24) {
                time = Math.floorDiv(base, 500) * 500; // on a window boundary
            } else {
                time = base - (outOfOrderness == 0 ? 0 : random.nextInt((int) outOfOrderness + 1));
            }
            previous = time;
            String key = "k" + (random.nextInt(3) == 0 ? 0 : random.nextInt(keys)); // one busy key
            String type = random.nextInt(10) == 0 ? "refund" : "payment";
            double amount = random.nextInt(100_000) / 100.0;
            events.add(EventRecord.builder(key, time).type(type).set("amount", amount).build());
            maxTime = Math.max(maxTime, time);
            watermarkAfter[i] = NONE;
            if (--untilNextWatermark == 0) {
                untilNextWatermark = perEvent ? 1 : 1 + random.nextInt(40);
                long next = maxTime - outOfOrderness - 1;
                if (next > watermark) {
                    watermark = next;
                    watermarkAfter[i] = next;
                }
            }
        }
    }

    public int size() {
        return events.size();
    }

    /** True when the windowed rules of the differential test count this event. */
    public boolean kept(int index) {
        return "payment".equals(events.get(index).type());
    }
}
