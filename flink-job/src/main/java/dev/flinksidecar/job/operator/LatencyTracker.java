package dev.flinksidecar.job.operator;

import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Measures, for every N-th event, the time from entering the operator ({@code processElement})
 * to the moment all results of its batch have been emitted downstream. Reported as the histogram
 * metric {@code sidecarLatencyNanos} and, for benchmarks that read it from the job result, as the
 * accumulator {@value #ACCUMULATOR} (microseconds to counts, merged over subtasks). Task thread only.
 */
final class LatencyTracker {

    /** Name of the accumulator: a {@link Histogram} of microseconds. */
    static final String ACCUMULATOR = SidecarStreams.LATENCY_ACCUMULATOR;

    private final int interval;
    private final org.apache.flink.metrics.Histogram metric;
    private final Histogram accumulator;
    private long seen;

    private LatencyTracker(int interval, org.apache.flink.metrics.Histogram metric, Histogram accumulator) {
        this.interval = interval;
        this.metric = metric;
        this.accumulator = accumulator;
    }

    /** A tracker that registers its metric in {@code group}; {@code interval} 0 measures nothing. */
    static LatencyTracker create(int interval, MetricGroup group, Histogram accumulator) {
        if (interval <= 0) {
            return new LatencyTracker(0, null, null);
        }
        return new LatencyTracker(interval,
                group.histogram("sidecarLatencyNanos", new DescriptiveStatisticsHistogram(10_000)), accumulator);
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
            accumulator.add((int) Math.min(Integer.MAX_VALUE, nanos / 1_000));
        }
    }
}
