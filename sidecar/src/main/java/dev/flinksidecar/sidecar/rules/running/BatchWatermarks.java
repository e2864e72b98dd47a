package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.events.wire.EventBatchView;

/**
 * The watermarks of one event batch in the order they apply: the interim ones (each after a number
 * of the batch's events), then the batch's own {@code watermark} after all its events. Read front
 * to back with {@link #dueAt}/{@link #next}.
 */
final class BatchWatermarks {

    private final int[] positions;
    private final long[] values;
    private int cursor;

    private BatchWatermarks(int[] positions, long[] values) {
        this.positions = positions;
        this.values = values;
    }

    /**
     * @throws IllegalArgumentException when the interim columns do not match or their positions
     *     decrease or pass the end of the batch (a broken client)
     */
    static BatchWatermarks of(EventBatchView batch, int size) {
        int interim = batch.interimPositionCount();
        if (batch.interimWatermarkCount() != interim) {
            throw new IllegalArgumentException(
                    "event batch: column 'interim_watermarks' does not match 'interim_watermark_positions'");
        }
        int count = interim + (batch.hasWatermark() ? 1 : 0);
        int[] positions = new int[count];
        long[] values = new long[count];
        int previous = 0;
        for (int i = 0; i < interim; i++) {
            int position = batch.interimPosition(i);
            if (position < previous || position > size) {
                throw new IllegalArgumentException(
                        "event batch: interim watermark position "
                                + Integer.toUnsignedString(position)
                                + " is out of order or beyond the "
                                + size
                                + " events");
            }
            positions[i] = position;
            values[i] = batch.interimWatermark(i);
            previous = position;
        }
        if (batch.hasWatermark()) {
            positions[interim] = size;
            values[interim] = batch.watermark();
        }
        return new BatchWatermarks(positions, values);
    }

    /** True when the next watermark holds after the first {@code events} events (or fewer). */
    boolean dueAt(int events) {
        return cursor < positions.length && positions[cursor] <= events;
    }

    /** The next watermark's value; moves past it. */
    long next() {
        return values[cursor++];
    }
}
