package dev.flinksidecar.sidecar.footprint;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.RuleContext;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;

/**
 * The windowed rule of {@link CdsTraining}'s rules folder: counts each key's events in the windows
 * of its config ({@code {"window": {...}}}), so that the training run also goes through a rule
 * config, windows opening and firing, and the accumulator codecs. Copied into a jar of its own, as
 * {@link TrainingRule} is.
 */
public final class TrainingWindowedRule implements WindowedRule<long[]> {

    private WindowAssigner windows;

    @Override
    public void open(RuleContext context) {
        windows = WindowAssigner.fromConfig(context.config().getObject("window"));
    }

    @Override
    public WindowAssigner windowAssigner() {
        return windows;
    }

    @Override
    public long[] createAccumulator() {
        return new long[1];
    }

    @Override
    public long[] add(Event event, long[] accumulator) {
        accumulator[0]++;
        return accumulator;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
        a[0] += b[0];
        return a;
    }

    @Override
    public double getResult(long[] accumulator) {
        return accumulator[0];
    }

    @Override
    public AccumulatorCodec<long[]> accumulatorCodec() {
        return AccumulatorCodec.longs();
    }
}
