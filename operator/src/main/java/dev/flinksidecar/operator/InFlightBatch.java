package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * A batch sent to the sidecar and not yet answered.
 *
 * @param sequence its sequence number in the session
 * @param sentNanos when it was sent ({@link System#nanoTime()}), for the round-trip metric
 * @param events its events, in order (dead letters and late events refer to them by index)
 * @param bytes its estimated encoded size, counted against the in-flight byte bound
 * @param watermarkPositions for each watermark in the batch, the number of events before it
 *     (non-decreasing, at most {@code events.length})
 * @param watermarks the watermarks, in arrival order; each is emitted downstream once the results
 *     of the events before it are out
 * @param status a watermark status change that followed the batch (emitted after everything else of
 *     it), or null
 * @param sampleNanos entry times of its events sampled for the latency metric
 */
record InFlightBatch(
        long sequence,
        long sentNanos,
        EventRecord[] events,
        long bytes,
        int[] watermarkPositions,
        long[] watermarks,
        WatermarkStatus status,
        long[] sampleNanos) {}
