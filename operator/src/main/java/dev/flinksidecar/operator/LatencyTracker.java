package dev.flinksidecar.operator;

import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Measures, for every N-th event, the time from entering the operator ({@code processElement}) to
 * the moment all results of its batch have been emitted downstream. Reported as the histogram
 * metric {@code sidecarLatencyNanos} and, for benchmarks that read it from the job result, as the
 * accumulator {@value #ACCUMULATOR} (microseconds to counts, merged over subtasks; above 128 µs to
 * within 1/64, see {@link MicrosHistogram}).
 *
 * <p>The same samples are split in three parts, each an accumulator of its own, to tell where a
 * slow sample spent its time: {@value #IN_BATCH_ACCUMULATOR} (entry until its batch was written to
 * the socket: waiting in the open batch, encoding, writing), {@value #ROUND_TRIP_ACCUMULATOR}
 * (written until the reader thread has read the answer: the socket both ways and the sidecar) and
 * {@value #TO_OUTPUT_ACCUMULATOR} (read until emitted: decoding, the hand-off to the task thread
 * through its mailbox, emitting).
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

    /** Name of the accumulator of the first part: entry until the batch was written. */
    static final String IN_BATCH_ACCUMULATOR = ACCUMULATOR + "-in-batch";

    /** Name of the accumulator of the second part: written until the answer was read. */
    static final String ROUND_TRIP_ACCUMULATOR = ACCUMULATOR + "-round-trip";

    /** Name of the accumulator of the third part: the answer read until the results emitted. */
    static final String TO_OUTPUT_ACCUMULATOR = ACCUMULATOR + "-to-output";

    private final int interval;
    private final org.apache.flink.metrics.Histogram metric;
    private final MicrosHistogram micros = new MicrosHistogram();
    private final MicrosHistogram inBatchMicros = new MicrosHistogram();
    private final MicrosHistogram roundTripMicros = new MicrosHistogram();
    private final MicrosHistogram toOutputMicros = new MicrosHistogram();
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

    /**
     * Records the sampled events of a batch whose results have just been emitted.
     *
     * @param entryNanos the entry times of its sampled events
     * @param writtenNanos when the batch was written to the socket
     * @param readNanos when the reader thread read its answer
     */
    void record(long[] entryNanos, long writtenNanos, long readNanos) {
        if (entryNanos.length == 0) {
            return;
        }
        long now = System.nanoTime();
        for (long entry : entryNanos) {
            long nanos = now - entry;
            metric.update(nanos);
            micros.add(nanos);
            inBatchMicros.add(writtenNanos - entry);
            roundTripMicros.add(readNanos - writtenNanos);
            toOutputMicros.add(now - readNanos);
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
        context.addAccumulator(ACCUMULATOR, micros.toAccumulator());
        context.addAccumulator(IN_BATCH_ACCUMULATOR, inBatchMicros.toAccumulator());
        context.addAccumulator(ROUND_TRIP_ACCUMULATOR, roundTripMicros.toAccumulator());
        context.addAccumulator(TO_OUTPUT_ACCUMULATOR, toOutputMicros.toAccumulator());
    }
}
