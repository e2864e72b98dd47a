package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Chained to the source: notes when each subtask has emitted {@code skip} events and when it
 * emitted its last. Backpressure makes the source's rate the pipeline's. Per event it only counts
 * (a clock read every 1024 events); the MiniCluster runs in this JVM, so static fields carry the
 * figures back when the subtask closes. The first subtask to reach {@code skip} starts the {@link
 * CpuClock}'s stretch, the last to close ends it.
 */
final class Probe extends RichMapFunction<EventRecord, EventRecord> {

    private static final long serialVersionUID = 1L;
    private static final AtomicLong FIRST = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicLong LAST = new AtomicLong();
    private static final AtomicLong COUNTED = new AtomicLong();

    private final long skip;
    private transient long seen;
    private transient long last;

    Probe(long skip) {
        this.skip = skip;
    }

    static void reset() {
        CpuClock.reset();
        FIRST.set(Long.MAX_VALUE);
        LAST.set(0);
        COUNTED.set(0);
    }

    /** Events counted between every subtask's {@code skip}-th event and its last. */
    static long counted() {
        return COUNTED.get();
    }

    /** Events per second between every subtask's {@code skip}-th event and its last. */
    static double rate() {
        return COUNTED.get() / ((LAST.get() - FIRST.get()) / 1e9);
    }

    @Override
    public EventRecord map(EventRecord event) {
        if (++seen == skip) {
            FIRST.accumulateAndGet(System.nanoTime(), Math::min);
            CpuClock.start();
        } else if ((seen & 1023) == 0) {
            last = System.nanoTime();
        }
        return event;
    }

    @Override
    public void close() {
        LAST.accumulateAndGet(Math.max(last, System.nanoTime()), Math::max);
        COUNTED.addAndGet(Math.max(0, seen - skip));
        CpuClock.end();
    }
}
