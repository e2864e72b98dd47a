package dev.flinksidecar.sidecar.window;

import dev.flinksidecar.rule.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The oracle: Flink's own {@code WindowOperator} (built by {@code WindowOperatorBuilder}, as {@code
 * keyBy(key).window(assigner).allowedLateness(l).sideOutputLateData(tag).aggregate(sum, window
 * function)} builds it), run in Flink's {@code KeyedOneInputStreamOperatorTestHarness} with the
 * heap state backend.
 *
 * <p>Feed it the events that the rule's filter keeps ({@link #element}) and every watermark ({@link
 * #watermark}); it records each window result as {@link #firings() a line per key}, with the step
 * of the stream that emitted it: {@code E i} while processing event {@code i}, {@code W i} on the
 * watermark after event {@code i}. Late events are recorded by index.
 */
final class FlinkWindowOracle implements AutoCloseable {

    private static final TypeInformation<Tuple4<String, Long, Double, Integer>> INPUT =
            Types.TUPLE(Types.STRING, Types.LONG, Types.DOUBLE, Types.INT);
    private static final OutputTag<Tuple4<String, Long, Double, Integer>> LATE =
            new OutputTag<>("late", INPUT);

    private final WindowAssigner windows;
    private final long allowedLatenessMs;
    private final AggregateFunction<
                    Tuple4<String, Long, Double, Integer>, double[], Tuple2<Double, Long>>
            aggregate;
    private KeyedOneInputStreamOperatorTestHarness<
                    String,
                    Tuple4<String, Long, Double, Integer>,
                    Tuple5<String, Long, Long, Double, Long>>
            harness;
    private final Map<String, List<String>> firings = new LinkedHashMap<>();
    private final List<Fired> fired = new ArrayList<>();
    private final List<Integer> late = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;

    /** With the sum of amounts as the aggregate. */
    FlinkWindowOracle(WindowAssigner windows, long allowedLatenessMs) throws Exception {
        this(windows, allowedLatenessMs, new SumAndCount());
    }

    /**
     * @param aggregate over the events' amounts ({@code Tuple4.f2}); its result is (value, count)
     */
    FlinkWindowOracle(
            WindowAssigner windows,
            long allowedLatenessMs,
            AggregateFunction<Tuple4<String, Long, Double, Integer>, double[], Tuple2<Double, Long>>
                    aggregate)
            throws Exception {
        this.windows = windows;
        this.allowedLatenessMs = allowedLatenessMs;
        this.aggregate = aggregate;
        harness = newHarness();
        harness.open();
    }

    /**
     * Takes a checkpoint of the operator and goes on in a new operator restored from it, as Flink
     * does after a failure: window state and timers come back, the watermark starts again at {@code
     * Long.MIN_VALUE}.
     */
    void restore() throws Exception {
        OperatorSubtaskState state = harness.snapshot(1, 0);
        harness.close();
        harness = newHarness();
        harness.initializeState(state);
        harness.open();
        watermark = Long.MIN_VALUE;
    }

    private KeyedOneInputStreamOperatorTestHarness<
                    String,
                    Tuple4<String, Long, Double, Integer>,
                    Tuple5<String, Long, Long, Double, Long>>
            newHarness() throws Exception {
        KeySelector<Tuple4<String, Long, Double, Integer>, String> byKey = new ByKey();
        WindowOperatorBuilder<Tuple4<String, Long, Double, Integer>, String, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        assigner(windows),
                        EventTimeTrigger.create(),
                        new ExecutionConfig(),
                        INPUT,
                        byKey,
                        Types.STRING);
        builder.allowedLateness(Duration.ofMillis(allowedLatenessMs));
        builder.sideOutputLateData(LATE);
        OneInputStreamOperator<
                        Tuple4<String, Long, Double, Integer>,
                        Tuple5<String, Long, Long, Double, Long>>
                operator =
                        builder.aggregate(
                                aggregate,
                                new WithWindow(),
                                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
        return new KeyedOneInputStreamOperatorTestHarness<>(operator, byKey, Types.STRING);
    }

    private static org.apache.flink.streaming.api.windowing.assigners.WindowAssigner<
                    Object, TimeWindow>
            assigner(WindowAssigner w) {
        switch (w.type()) {
            case TUMBLING:
                return TumblingEventTimeWindows.of(
                        Duration.ofMillis(w.size()), Duration.ofMillis(w.offset()));
            case SLIDING:
                return SlidingEventTimeWindows.of(
                        Duration.ofMillis(w.size()),
                        Duration.ofMillis(w.slide()),
                        Duration.ofMillis(w.offset()));
            default:
                return EventTimeSessionWindows.withGap(Duration.ofMillis(w.gap()));
        }
    }

    /** Event {@code index} of the stream (one the rule's filter keeps). */
    void element(int index, String key, long time, double amount) throws Exception {
        harness.processElement(new StreamRecord<>(Tuple4.of(key, time, amount, index), time));
        collect("E " + index, index, false);
    }

    /**
     * A watermark after event {@code afterIndex}; only advancing ones reach the operator, as in
     * Flink.
     */
    void watermark(int afterIndex, long value) throws Exception {
        if (value <= watermark) {
            return;
        }
        watermark = value;
        harness.processWatermark(value);
        collect("W " + afterIndex, afterIndex, true);
    }

    @SuppressWarnings("unchecked")
    private void collect(String step, int index, boolean byWatermark) {
        Queue<Object> output = harness.getOutput();
        for (Object item : output) {
            if (item instanceof StreamRecord) {
                StreamRecord<Tuple5<String, Long, Long, Double, Long>> record =
                        (StreamRecord<Tuple5<String, Long, Long, Double, Long>>) item;
                Tuple5<String, Long, Long, Double, Long> r = record.getValue();
                firings.computeIfAbsent(r.f0, k -> new ArrayList<>())
                        .add(line(step, r.f1, r.f2, record.getTimestamp(), r.f3, r.f4));
                fired.add(
                        new Fired(
                                index,
                                byWatermark,
                                r.f0,
                                r.f1,
                                r.f2,
                                record.getTimestamp(),
                                r.f3,
                                r.f4));
            }
        }
        output.clear();
        Queue<StreamRecord<Tuple4<String, Long, Double, Integer>>> lateOutput =
                harness.getSideOutput(LATE);
        if (lateOutput != null) {
            lateOutput.forEach(record -> late.add(record.getValue().f3));
            lateOutput.clear();
        }
    }

    /** How both sides write one window result. */
    static String line(String step, long start, long end, long time, double value, long count) {
        return step + " [" + start + "," + end + ") @" + time + " " + value + " x" + count;
    }

    /** Window results per key, in the order Flink emitted them. */
    Map<String, List<String>> firings() {
        return firings;
    }

    /** Every window result, in the order Flink emitted them. */
    List<Fired> fired() {
        return fired;
    }

    /** Indexes of the late events, in the order Flink sent them to the side output. */
    List<Integer> late() {
        return late;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    /**
     * One window result and the point of the stream that emitted it: event {@code index}, or the
     * watermark after it.
     */
    static final class Fired {
        final int index;
        final boolean byWatermark;
        final String key;
        final long start;
        final long end;
        final long time;
        final double value;
        final long count;

        Fired(
                int index,
                boolean byWatermark,
                String key,
                long start,
                long end,
                long time,
                double value,
                long count) {
            this.index = index;
            this.byWatermark = byWatermark;
            this.key = key;
            this.start = start;
            this.end = end;
            this.time = time;
            this.value = value;
            this.count = count;
        }
    }

    private static final class ByKey
            implements KeySelector<Tuple4<String, Long, Double, Integer>, String> {
        @Override
        public String getKey(Tuple4<String, Long, Double, Integer> event) {
            return event.f0;
        }
    }

    /** Sum of amounts and number of events: {@code [sum, count]}. */
    private static final class SumAndCount
            implements AggregateFunction<
                    Tuple4<String, Long, Double, Integer>, double[], Tuple2<Double, Long>> {
        @Override
        public double[] createAccumulator() {
            return new double[2];
        }

        @Override
        public double[] add(Tuple4<String, Long, Double, Integer> event, double[] acc) {
            acc[0] += event.f2;
            acc[1] += 1;
            return acc;
        }

        @Override
        public Tuple2<Double, Long> getResult(double[] acc) {
            return Tuple2.of(acc[0], (long) acc[1]);
        }

        @Override
        public double[] merge(double[] a, double[] b) {
            a[0] += b[0];
            a[1] += b[1];
            return a;
        }
    }

    /** Adds the key and the window to the aggregate. */
    private static final class WithWindow
            extends ProcessWindowFunction<
                    Tuple2<Double, Long>,
                    Tuple5<String, Long, Long, Double, Long>,
                    String,
                    TimeWindow> {
        @Override
        public void process(
                String key,
                Context context,
                Iterable<Tuple2<Double, Long>> elements,
                Collector<Tuple5<String, Long, Long, Double, Long>> out) {
            Tuple2<Double, Long> result = elements.iterator().next();
            out.collect(
                    Tuple5.of(
                            key,
                            context.window().getStart(),
                            context.window().getEnd(),
                            result.f0,
                            result.f1));
        }
    }
}
