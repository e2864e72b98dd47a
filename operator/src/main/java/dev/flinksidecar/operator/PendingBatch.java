package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import java.util.ArrayList;
import java.util.Arrays;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The open batch on the operator's side: the events it holds (kept for dead letters and late
 * events, which name the event by index), the watermarks that arrived between them (each with the
 * number of events before it, as the encoded batch carries them), a watermark status change that
 * closes it, and the entry times of the events sampled for the latency metric. The encoded form is
 * built by the runner alongside. Task thread only.
 */
final class PendingBatch {

    private static final long[] NO_LONGS = new long[0];
    private static final int[] NO_INTS = new int[0];

    private final ArrayList<EventRecord> events = new ArrayList<>();
    private long[] samples = NO_LONGS;
    private int sampleCount;
    private int[] positions = NO_INTS;
    private long[] watermarks = NO_LONGS;
    private int watermarkCount;
    private WatermarkStatus status;
    private long openedAt;

    /** Adds an event; {@code entryNanos} is its entry time when sampled, else negative. */
    void add(EventRecord event, long entryNanos, long processingTime) {
        opened(processingTime);
        events.add(event);
        if (entryNanos >= 0) {
            if (sampleCount == samples.length) {
                samples = Arrays.copyOf(samples, Math.max(4, samples.length * 2));
            }
            samples[sampleCount++] = entryNanos;
        }
    }

    /** Adds a watermark that holds after the events added so far. */
    void watermark(long watermark, long processingTime) {
        opened(processingTime);
        if (watermarkCount == watermarks.length) {
            int capacity = Math.max(4, watermarks.length * 2);
            watermarks = Arrays.copyOf(watermarks, capacity);
            positions = Arrays.copyOf(positions, capacity);
        }
        positions[watermarkCount] = events.size();
        watermarks[watermarkCount++] = watermark;
    }

    /**
     * Closes the batch with a watermark status change, to be emitted after its results; it must be
     * sent next.
     */
    void status(WatermarkStatus status) {
        this.status = status;
    }

    private void opened(long processingTime) {
        if (!hasContent()) {
            openedAt = processingTime;
        }
    }

    /** Whether there is anything to send: events, watermarks or a status change. */
    boolean hasContent() {
        return watermarkCount > 0 || status != null || !events.isEmpty();
    }

    /** Processing time (ms) at which the batch got its first content. */
    long openedAt() {
        return openedAt;
    }

    /**
     * Hands the content over to an in-flight batch, sent at {@code sentNanos}, and starts empty
     * again.
     */
    InFlightBatch close(long sequence, long bytes, long sentNanos) {
        InFlightBatch batch =
                new InFlightBatch(
                        sequence,
                        sentNanos,
                        events.toArray(new EventRecord[0]),
                        bytes,
                        watermarkCount == 0 ? NO_INTS : Arrays.copyOf(positions, watermarkCount),
                        watermarkCount == 0 ? NO_LONGS : Arrays.copyOf(watermarks, watermarkCount),
                        status,
                        sampleCount == 0 ? NO_LONGS : Arrays.copyOf(samples, sampleCount));
        events.clear();
        sampleCount = 0;
        watermarkCount = 0;
        status = null;
        return batch;
    }
}
