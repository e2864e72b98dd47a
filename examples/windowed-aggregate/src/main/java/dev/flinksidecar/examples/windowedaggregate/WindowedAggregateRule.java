package dev.flinksidecar.examples.windowedaggregate;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.RuleContext;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;
import java.time.Duration;

/**
 * A windowed aggregate set up by its JSON config alone: count, sum, min, max or avg of a numeric
 * attribute per key over tumbling, sliding or session windows, as Flink's {@code
 * keyBy(key).window(...).allowedLateness(...).aggregate(...)} computes it.
 *
 * <p>Config ({@code windowed-aggregate.json}):
 *
 * <pre>{@code
 * {"id": "spend",
 *  "window": {"type": "tumbling", "size": "10s"},      // or {"type": "sliding", "size": "10s", "slide": "5s"}
 *                                                       // or {"type": "session", "gap": "3s"}; optional "offset"
 *  "allowed_lateness": "0s",                            // optional, default 0s
 *  "aggregate": "sum",                                  // count | sum | min | max | avg
 *  "field": "amount",                                   // the numeric attribute; optional for count
 *  "event_type": "payment"}                             // optional: only events of this type
 * }</pre>
 *
 * <p>Which events count: those of {@code event_type} (all types when it is absent) that have {@code
 * field} as a number (LONG or DOUBLE; a LONG is read as a double). An event that does not qualify
 * is ignored: not aggregated, never late. With {@code count} and no {@code field}, every event of
 * the type counts.
 *
 * <p>One result per window firing (late firings within the allowed lateness included):
 *
 * <pre>
 * {"rule":"spend","version":"1.0.0","key":"card-0042","window_start":1767225600000,"window_end":1767225610000,"value":1250.5,"count":3}
 * </pre>
 *
 * <p>{@code value} is the aggregate as a double, printed the way Java prints doubles ({@code
 * Double.toString}: {@code 1250.5}, {@code 3.0}); for {@code count} it equals {@code count}. {@code
 * count} is the number of events aggregated into the window.
 */
public final class WindowedAggregateRule implements WindowedRule<double[]> {

    private WindowAssigner windows;
    private Duration lateness;
    private Aggregation aggregation;
    private String field;
    private String eventType;

    @Override
    public void open(RuleContext context) {
        RuleConfig config = context.config();
        if (!config.has("window")) {
            throw new RuleConfigException(
                    "config field 'window' is missing; expected e.g. {\"type\": \"tumbling\", \"size\": \"10s\"}");
        }
        windows = WindowAssigner.fromConfig(config.getObject("window"));
        lateness = config.getDuration("allowed_lateness", Duration.ZERO);
        aggregation = Aggregation.of(config.requireString("aggregate"));
        field =
                aggregation == Aggregation.COUNT
                        ? config.getString("field", null)
                        : config.requireString("field");
        if (field != null && field.isEmpty()) {
            throw new RuleConfigException(
                    "config field 'field' is empty; expected the name of a numeric attribute");
        }
        eventType = config.getString("event_type", null);
    }

    @Override
    public WindowAssigner windowAssigner() {
        return windows;
    }

    @Override
    public Duration allowedLateness() {
        return lateness;
    }

    @Override
    public boolean filter(Event event) {
        if (eventType != null && !eventType.equals(event.type())) {
            return false;
        }
        if (field == null) {
            return true;
        }
        int i = event.indexOf(field);
        return i >= 0 && event.isNumber(i);
    }

    @Override
    public double[] createAccumulator() {
        return aggregation.create();
    }

    @Override
    public double[] add(Event event, double[] accumulator) {
        aggregation.add(accumulator, field == null ? 0 : event.numberAt(event.indexOf(field)));
        return accumulator;
    }

    @Override
    public double[] merge(double[] a, double[] b) {
        aggregation.merge(a, b);
        return a;
    }

    @Override
    public double getResult(double[] accumulator) {
        return aggregation.result(accumulator);
    }

    @Override
    public AccumulatorCodec<double[]> accumulatorCodec() {
        return AccumulatorCodec.doubles();
    }
}
