package dev.flinksidecar.operator;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Every metric of the sidecar operator, registered in one place under the operator's metric group
 * (so they show in Flink's web UI and in any metrics reporter). The table in {@code
 * operator/OPTIONS.md} lists them; {@code OperatorMetricsTest} fails when it and {@link #register}
 * differ.
 *
 * <p>Everything is updated per batch or per sampled event, never per event, except the counters of
 * what is emitted (a counter increment is a field write). Task thread only; gauges are read by the
 * reporter's thread and read single fields.
 */
final class OperatorMetrics {

    /** How many recent values each histogram keeps for its statistics. */
    private static final int HISTOGRAM_WINDOW = 10_000;

    final Counter results;
    final Counter deadLetters;
    final Counter lateEvents;
    final Counter reconnects;
    final Counter resentBatches;

    /** Events per batch sent (0 for a batch of watermarks only). */
    final Histogram batchSize;

    /** Nanoseconds from a batch sent to its answer taken up on the task thread. */
    final Histogram roundTripNanos;

    /** Sampled latency of events, from entering the operator to their results emitted. */
    final LatencyTracker latency;

    /** Totals of the subtask for its closing log line (the histograms keep only a window). */
    private long batchesSent;

    private long eventsSent;

    private OperatorMetrics(MetricGroup group, int latencySampleInterval) {
        results = group.counter("sidecarResults");
        deadLetters = group.counter("sidecarDeadLetters");
        lateEvents = group.counter("sidecarLateEvents");
        reconnects = group.counter("sidecarReconnects");
        resentBatches = group.counter("sidecarReplayedBatches");
        batchSize =
                group.histogram(
                        "sidecarBatchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        roundTripNanos =
                group.histogram(
                        "sidecarRoundTripNanos",
                        new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        latency = LatencyTracker.create(latencySampleInterval, group);
    }

    /** A batch of {@code events} events (maybe none) was sent. */
    void batchSent(int events) {
        batchSize.update(events);
        batchesSent++;
        eventsSent += events;
    }

    /** What the subtask sent and emitted so far, for its log. */
    String summary() {
        return batchesSent
                + " batches of "
                + eventsSent
                + " events sent, "
                + results.getCount()
                + " results, "
                + deadLetters.getCount()
                + " dead letters, "
                + lateEvents.getCount()
                + " late events, "
                + reconnects.getCount()
                + " reconnects";
    }

    /**
     * Registers every metric in {@code group}.
     *
     * @param inFlightBatches batches sent and not yet answered
     * @param inFlightBytes their estimated bytes
     * @param resendBytes bytes kept since the last acknowledged barrier to send again after a crash
     */
    static OperatorMetrics register(
            MetricGroup group,
            int latencySampleInterval,
            LongSupplier inFlightBatches,
            LongSupplier inFlightBytes,
            LongSupplier resendBytes) {
        OperatorMetrics metrics = new OperatorMetrics(group, latencySampleInterval);
        group.gauge("sidecarInFlightBatches", (Gauge<Long>) inFlightBatches::getAsLong);
        group.gauge("sidecarInFlightBytes", (Gauge<Long>) inFlightBytes::getAsLong);
        group.gauge("sidecarReplayBytes", (Gauge<Long>) resendBytes::getAsLong);
        return metrics;
    }
}
