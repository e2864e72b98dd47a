package dev.flinksidecar.sidecar.window;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;
import java.time.Duration;

/**
 * A windowed rule for tests: the sum of {@code amount} over events of type {@code payment}; results
 * above {@link #above} only; {@code getResult} throws for a window whose sum is exactly {@link
 * #failOn}.
 */
public final class TestingWindowedRule implements WindowedRule<double[]> {

    private final WindowAssigner assigner;
    private final Duration lateness;
    double above = Double.NEGATIVE_INFINITY;
    double failOn = Double.NaN;

    public TestingWindowedRule(WindowAssigner assigner, Duration lateness) {
        this.assigner = assigner;
        this.lateness = lateness;
    }

    @Override
    public WindowAssigner windowAssigner() {
        return assigner;
    }

    @Override
    public Duration allowedLateness() {
        return lateness;
    }

    @Override
    public boolean filter(Event event) {
        return "payment".equals(event.type());
    }

    @Override
    public double[] createAccumulator() {
        return new double[1];
    }

    @Override
    public double[] add(Event event, double[] sum) {
        sum[0] += event.getNumber("amount", 0);
        return sum;
    }

    @Override
    public double[] merge(double[] a, double[] b) {
        a[0] += b[0];
        return a;
    }

    @Override
    public double getResult(double[] sum) {
        if (sum[0] == failOn) {
            throw new IllegalStateException("cannot report " + failOn);
        }
        return sum[0];
    }

    @Override
    public boolean keepResult(double value, long count) {
        return value > above;
    }

    @Override
    public AccumulatorCodec<double[]> accumulatorCodec() {
        return AccumulatorCodec.doubles();
    }
}
