package dev.flinksidecar.job.operator;

import dev.flinksidecar.events.EventRecord;

/**
 * A batch sent to the sidecar and not yet answered.
 *
 * @param sequence its sequence number in the session
 * @param events its events, in order (dead letters refer to them by index)
 * @param bytes its estimated encoded size, counted against the in-flight byte bound
 * @param hasWatermark whether a watermark follows its events
 * @param watermark that watermark, emitted downstream once the batch's results are out
 * @param sampleNanos entry times of its events sampled for the latency metric
 */
record InFlightBatch(long sequence, EventRecord[] events, long bytes, boolean hasWatermark, long watermark,
        long[] sampleNanos) {}
