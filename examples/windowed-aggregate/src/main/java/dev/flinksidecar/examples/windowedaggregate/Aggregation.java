package dev.flinksidecar.examples.windowedaggregate;

import dev.flinksidecar.rule.RuleConfigException;
import java.util.Locale;

/**
 * The five aggregations, each over a {@code double[]} accumulator (so the sidecar checkpoints it
 * with {@code AccumulatorCodec.doubles()}): the shape of Flink's {@code AggregateFunction}.
 *
 * <pre>
 *   count  [n]         value n                 (a whole number, printed as e.g. 3.0)
 *   sum    [sum]       value sum               (added in event order, as Flink adds)
 *   min    [min]       value min, from +Infinity
 *   max    [max]       value max, from -Infinity
 *   avg    [sum, n]    value sum / n
 * </pre>
 */
enum Aggregation {
    COUNT(1) {
        @Override
        void add(double[] acc, double value) {
            acc[0]++;
        }

        @Override
        void merge(double[] into, double[] other) {
            into[0] += other[0];
        }
    },
    SUM(1) {
        @Override
        void add(double[] acc, double value) {
            acc[0] += value;
        }

        @Override
        void merge(double[] into, double[] other) {
            into[0] += other[0];
        }
    },
    MIN(1) {
        @Override
        double[] create() {
            return new double[] {Double.POSITIVE_INFINITY};
        }

        @Override
        void add(double[] acc, double value) {
            acc[0] = Math.min(acc[0], value);
        }

        @Override
        void merge(double[] into, double[] other) {
            into[0] = Math.min(into[0], other[0]);
        }
    },
    MAX(1) {
        @Override
        double[] create() {
            return new double[] {Double.NEGATIVE_INFINITY};
        }

        @Override
        void add(double[] acc, double value) {
            acc[0] = Math.max(acc[0], value);
        }

        @Override
        void merge(double[] into, double[] other) {
            into[0] = Math.max(into[0], other[0]);
        }
    },
    AVG(2) {
        @Override
        void add(double[] acc, double value) {
            acc[0] += value;
            acc[1]++;
        }

        @Override
        void merge(double[] into, double[] other) {
            into[0] += other[0];
            into[1] += other[1];
        }

        @Override
        double result(double[] acc) {
            return acc[0] / acc[1];
        }
    };

    private final int slots;

    Aggregation(int slots) {
        this.slots = slots;
    }

    /** The config's {@code aggregate}, e.g. {@code "sum"}. */
    static Aggregation of(String name) {
        for (Aggregation aggregation : values()) {
            if (aggregation.name().toLowerCase(Locale.ROOT).equals(name)) {
                return aggregation;
            }
        }
        throw new RuleConfigException(
                "config field 'aggregate' is \""
                        + name
                        + "\"; expected one of count, sum, min, max, avg");
    }

    /** A new accumulator. */
    double[] create() {
        return new double[slots];
    }

    /** Adds one value (for {@link #COUNT}: one event). */
    abstract void add(double[] acc, double value);

    /** Merges {@code other} into {@code into} (session windows). */
    abstract void merge(double[] into, double[] other);

    /** The window's value. */
    double result(double[] acc) {
        return acc[0];
    }
}
