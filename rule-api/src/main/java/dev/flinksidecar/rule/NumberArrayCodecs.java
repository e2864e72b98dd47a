package dev.flinksidecar.rule;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** The codecs behind {@link AccumulatorCodec#doubles()} and {@link AccumulatorCodec#longs()}. */
final class NumberArrayCodecs {

    /** Larger arrays are not accumulators but a mistake (or corrupt input); refuse them. */
    private static final int MAX_LENGTH = 1 << 16;

    static final AccumulatorCodec<double[]> DOUBLES =
            new AccumulatorCodec<>() {
                @Override
                public void write(double[] values, DataOutput out) throws IOException {
                    out.writeInt(values.length);
                    for (double value : values) {
                        out.writeDouble(value);
                    }
                }

                @Override
                public double[] read(DataInput in) throws IOException {
                    double[] values = new double[length(in)];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = in.readDouble();
                    }
                    return values;
                }
            };

    static final AccumulatorCodec<long[]> LONGS =
            new AccumulatorCodec<>() {
                @Override
                public void write(long[] values, DataOutput out) throws IOException {
                    out.writeInt(values.length);
                    for (long value : values) {
                        out.writeLong(value);
                    }
                }

                @Override
                public long[] read(DataInput in) throws IOException {
                    long[] values = new long[length(in)];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = in.readLong();
                    }
                    return values;
                }
            };

    private NumberArrayCodecs() {}

    private static int length(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_LENGTH) {
            throw new IOException(
                    "accumulator array length "
                            + length
                            + " is out of range (0.."
                            + MAX_LENGTH
                            + ")");
        }
        return length;
    }
}
