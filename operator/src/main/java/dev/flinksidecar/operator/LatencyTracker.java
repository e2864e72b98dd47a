package dev.flinksidecar.operator;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Measures, for every N-th event, the time from entering the operator ({@code processElement}) to
 * the moment all results of its batch have been emitted downstream. Reported as the histogram
 * metric {@code sidecarLatencyNanos} and, for benchmarks that read it from the job result, as the
 * accumulator {@value #ACCUMULATOR} (microseconds to counts, merged over subtasks).
 *
 * <p>Threads: every method runs on the task thread. The accumulator is filled here and registered
 * only by {@link #publish}, when the operator finishes: Flink serializes registered accumulators
 * from its heartbeat thread at any time, so one that the task thread still updates would be read
 * while it changes ({@code ConcurrentModificationException}). A histogram handed over once and
 * never touched again is safe.
 */
final class LatencyTracker {

    /** Name of the accumulator: a {@link Histogram} of microseconds. */
    static final String ACCUMULATOR = SidecarStreams.LATENCY_ACCUMULATOR;

    private final int interval;
    private final org.apache.flink.metrics.Histogram metric;
    private final TreeMap<Integer, Integer> micros = new TreeMap<>();
    private long seen;
    private boolean published;

    private LatencyTracker(int interval, org.apache.flink.metrics.Histogram metric) {
        this.interval = interval;
        this.metric = metric;
    }

    /**
     * A tracker that registers its metric in {@code group}; {@code interval} 0 measures nothing.
     */
    static LatencyTracker create(int interval, MetricGroup group) {
        if (interval <= 0) {
            return new LatencyTracker(0, null);
        }
        return new LatencyTracker(
                interval,
                group.histogram("sidecarLatencyNanos", new DescriptiveStatisticsHistogram(10_000)));
    }

    /** The entry time of the next event when it is to be sampled, else -1. */
    long sample() {
        if (interval == 0 || seen++ % interval != 0) {
            return -1;
        }
        return System.nanoTime();
    }

    /** Records the sampled events of a batch whose results have just been emitted. */
    void record(long[] entryNanos) {
        if (entryNanos.length == 0) {
            return;
        }
        long now = System.nanoTime();
        for (long entry : entryNanos) {
            long nanos = now - entry;
            metric.update(nanos);
            micros.merge((int) Math.min(Integer.MAX_VALUE, nanos / 1_000), 1, Integer::sum);
        }
    }

    /**
     * Registers the samples as the accumulator {@value #ACCUMULATOR}; once, when the operator
     * finishes.
     */
    void publish(RuntimeContext context) {
        if (published || interval == 0) {
            return;
        }
        published = true;
        Histogram histogram = new Histogram();
        for (Map.Entry<Integer, Integer> bucket : micros.entrySet()) {
            for (int i = 0; i < bucket.getValue(); i++) {
                histogram.add(bucket.getKey());
            }
        }
        context.addAccumulator(ACCUMULATOR, histogram);
    }
}
