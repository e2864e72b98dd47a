package dev.flinksidecar.operator;

import org.apache.flink.api.common.accumulators.Histogram;

/**
 * Counts of durations in microseconds, in a fixed array: exact below 128 µs, above that in 64
 * buckets per power of two (each value counted as its bucket's lowest, at most 1/64 below it), so
 * counting one is a few instructions and no allocation, whatever the spread of the values. Turned
 * into Flink's {@link Histogram} accumulator once, at the end.
 *
 * <p>Threads: one (the task thread).
 */
final class MicrosHistogram {

    private static final int EXACT = 128;
    private static final int SUB_BUCKETS = 64;
    private static final int EXACT_BITS = 7; // EXACT = 1 << EXACT_BITS
    private static final int SUB_BITS = 6; // SUB_BUCKETS = 1 << SUB_BITS

    /** Buckets for every power of two from EXACT up to Integer.MAX_VALUE. */
    private final int[] counts = new int[EXACT + (31 - EXACT_BITS) * SUB_BUCKETS];

    /** Counts a duration of {@code nanos} (negative counts as 0, beyond 35 minutes as the most). */
    void add(long nanos) {
        int micros = (int) Math.max(0, Math.min(Integer.MAX_VALUE, nanos / 1_000));
        counts[bucket(micros)]++;
    }

    static int bucket(int micros) {
        if (micros < EXACT) {
            return micros;
        }
        int power = 31 - Integer.numberOfLeadingZeros(micros); // >= EXACT_BITS
        int sub = (micros >>> (power - SUB_BITS)) & (SUB_BUCKETS - 1);
        return EXACT + (power - EXACT_BITS) * SUB_BUCKETS + sub;
    }

    /** The lowest value of bucket {@code index}. */
    static int lowest(int index) {
        if (index < EXACT) {
            return index;
        }
        int power = (index - EXACT) / SUB_BUCKETS + EXACT_BITS;
        int sub = (index - EXACT) % SUB_BUCKETS;
        return (1 << power) | (sub << (power - SUB_BITS));
    }

    /** The counts as Flink's histogram accumulator (each bucket at its lowest value). */
    Histogram toAccumulator() {
        Histogram histogram = new Histogram();
        for (int i = 0; i < counts.length; i++) {
            for (int n = 0; n < counts[i]; n++) {
                histogram.add(lowest(i));
            }
        }
        return histogram;
    }
}
