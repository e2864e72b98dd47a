package dev.flinksidecar.rule;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes a {@link WindowedRule}'s accumulators to bytes and reads them back, so the sidecar can put
 * open windows into Flink's checkpoints without Java serialisation.
 *
 * <p>Write a version-stable, compact form: a later version of the rule reads what an earlier one
 * wrote when a job restores. For accumulators that are a few numbers, use {@link #doubles()} or
 * {@link #longs()}.
 *
 * <pre>{@code
 * // an accumulator record Avg(double sum, long n)
 * public AccumulatorCodec<Avg> accumulatorCodec() {
 *     return new AccumulatorCodec<>() {
 *         public void write(Avg avg, DataOutput out) throws IOException { out.writeDouble(avg.sum()); out.writeLong(avg.n()); }
 *         public Avg read(DataInput in) throws IOException { return new Avg(in.readDouble(), in.readLong()); }
 *     };
 * }
 * }</pre>
 *
 * @param <ACC> the accumulator type
 */
public interface AccumulatorCodec<ACC> {

    /** Writes {@code accumulator}; {@link #read} must give back an equal one. */
    void write(ACC accumulator, DataOutput out) throws IOException;

    /** Reads one accumulator that {@link #write} wrote. */
    ACC read(DataInput in) throws IOException;

    /** For {@code double[]} accumulators: the length, then each value as 8 bytes. */
    static AccumulatorCodec<double[]> doubles() {
        return NumberArrayCodecs.DOUBLES;
    }

    /** For {@code long[]} accumulators: the length, then each value as 8 bytes. */
    static AccumulatorCodec<long[]> longs() {
        return NumberArrayCodecs.LONGS;
    }
}
