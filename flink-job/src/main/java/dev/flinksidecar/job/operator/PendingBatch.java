package dev.flinksidecar.job.operator;

import dev.flinksidecar.events.EventRecord;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The open batch on the operator's side: the events it holds (kept for dead letters, which name
 * the event a rule failed on), the watermark that closes it, and the entry times of the events
 * sampled for the latency metric. The encoded form is built by the runner alongside.
 * Task thread only.
 */
final class PendingBatch {

    private static final long[] NO_SAMPLES = new long[0];

    private final ArrayList<EventRecord> events = new ArrayList<>();
    private long[] samples = NO_SAMPLES;
    private int sampleCount;
    private boolean hasWatermark;
    private long watermark;
    private long openedAt;

    /** Adds an event; {@code entryNanos} is its entry time when sampled, else negative. */
    void add(EventRecord event, long entryNanos, long processingTime) {
        if (events.isEmpty()) {
            openedAt = processingTime;
        }
        events.add(event);
        if (entryNanos >= 0) {
            if (sampleCount == samples.length) {
                samples = Arrays.copyOf(samples, Math.max(4, samples.length * 2));
            }
            samples[sampleCount++] = entryNanos;
        }
    }

    /** Closes the batch with a watermark; it must be sent next. */
    void watermark(long watermark) {
        this.hasWatermark = true;
        this.watermark = watermark;
    }

    /** Whether there is anything to send: events or a watermark. */
    boolean hasContent() {
        return hasWatermark || !events.isEmpty();
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    boolean hasWatermark() {
        return hasWatermark;
    }

    long watermarkValue() {
        return watermark;
    }

    /** Processing time (ms) at which the first event of the batch arrived. */
    long openedAt() {
        return openedAt;
    }

    /** Hands the content over to an in-flight batch and starts empty again. */
    InFlightBatch close(long sequence, long bytes) {
        InFlightBatch batch = new InFlightBatch(sequence, events.toArray(new EventRecord[0]), bytes,
                hasWatermark, watermark, sampleCount == 0 ? NO_SAMPLES : Arrays.copyOf(samples, sampleCount));
        events.clear();
        sampleCount = 0;
        hasWatermark = false;
        return batch;
    }
}
