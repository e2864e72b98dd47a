package dev.flinksidecar.job.window;

import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.EventRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded random event stream that exercises every corner of event-time windows, written as JSON
 * Lines:
 *
 * <ul>
 *   <li>many keys, a few of them busy, many rare (so some keys get no event for long stretches);
 *   <li>time moves forward in small steps with occasional long gaps (sessions close, windows fire
 *       with no event in between);
 *   <li>most events are within the out-of-orderness, some later than it (late, or within the
 *       allowed lateness), some far later (late for every window);
 *   <li>duplicate timestamps, times exactly on second boundaries (window edges);
 *   <li>event types {@code payment}, {@code refund} and {@code ping} (no amount); amounts as
 *       doubles with two decimals and sometimes as whole numbers (LONG);
 *   <li>a few malformed lines, which give no event and no watermark.
 * </ul>
 */
public final class RandomWindowStream {

    /** 2026-01-01T00:00:00Z. */
    static final long START = 1_767_225_600_000L;

    private RandomWindowStream() {}

    /**
     * Writes {@code events} events over {@code keys} keys to {@code file}.
     *
     * @param outOfOrdernessMs the out-of-orderness the watermarks will use; lags are drawn around
     *     it
     */
    public static void write(Path file, long seed, int events, int keys, long outOfOrdernessMs)
            throws IOException {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>(events + 8);
        long frontier = START;
        long previous = START;
        for (int i = 0; i < events; i++) {
            frontier +=
                    random.nextDouble() < 0.01
                            ? 15_000 + random.nextInt(30_000)
                            : random.nextInt(250);
            long time;
            double lag = random.nextDouble();
            if (lag < 0.08) {
                time = previous; // a duplicate timestamp
            } else if (lag < 0.75) {
                time = frontier - random.nextInt((int) outOfOrdernessMs + 1);
            } else if (lag < 0.93) {
                time =
                        frontier
                                - outOfOrdernessMs
                                - random.nextInt(6_000); // late, or within the lateness
            } else {
                time = frontier - 10_000 - random.nextInt(30_000); // late for every window
            }
            if (random.nextDouble() < 0.05) {
                time -= Math.floorMod(time, 1000); // on a second boundary
            }
            previous = time;
            lines.add(EventJson.toJson(event(random, key(random, keys), time)));
            if (random.nextDouble() < 0.001) {
                lines.add(
                        random.nextBoolean()
                                ? "{\"key\":\"k-broken\",\"time\":"
                                : "{\"time\":" + time + "}");
            }
        }
        Files.write(file, lines);
    }

    /** A few busy keys, a long tail of rare ones. */
    private static String key(Random random, int keys) {
        int k =
                random.nextDouble() < 0.4
                        ? random.nextInt(Math.min(4, keys))
                        : random.nextInt(keys);
        return String.format("k%03d", k);
    }

    private static EventRecord event(Random random, String key, long time) {
        double kind = random.nextDouble();
        EventRecord.Builder event = EventRecord.builder(key, time);
        if (kind < 0.05) {
            return event.type("ping").set("seq", random.nextInt(1000)).build();
        }
        event.type(kind < 0.85 ? "payment" : "refund");
        if (random.nextDouble() < 0.1) {
            event.set("amount", (long) random.nextInt(500)); // a whole number: a LONG attribute
        } else {
            event.set("amount", random.nextInt(100_000) / 100.0);
        }
        return event.set("channel", random.nextBoolean() ? "web" : "pos").build();
    }
}
