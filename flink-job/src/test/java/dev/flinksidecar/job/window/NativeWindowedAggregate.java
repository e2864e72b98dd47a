package dev.flinksidecar.job.window;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.LateEvents;
import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.events.wire.ProtoAttributes;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.rule.Attributes;
import dev.flinksidecar.rule.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The reference that the sidecar is held to: a {@code windowed-aggregate} config (README, "Windowed
 * rules") computed by Flink's own window operator, with no sidecar,
 *
 * <pre>{@code
 * events.filter(type and numeric field as the rule's filter)
 *       .keyBy(key).window(Tumbling|Sliding|EventTimeSession...)
 *       .allowedLateness(l).sideOutputLateData(tag)
 *       .aggregate(count|sum|min|max|avg + event count, ProcessWindowFunction adding start/end)
 * }</pre>
 *
 * writing the lines the sidecar path writes: window results as {@code ResultJson.windowToJson} and
 * late events as {@code LateEvents.line}. Written independently of the example rule (it shares only
 * the config format), so the comparison checks the rule and the engine as well.
 */
public final class NativeWindowedAggregate {

    private NativeWindowedAggregate() {}

    /** Result lines and late-event lines of one config. */
    public record Lines(DataStream<String> results, DataStream<String> late) {}

    /**
     * Adds the windowed aggregate of {@code configJson} over {@code events} (with event-time
     * timestamps and watermarks already on them). The filter runs at the parallelism of {@code
     * events}, chained to it: a rebalance in between would let the window operator see an event
     * before a watermark that preceded it in the stream, which the sidecar path never does.
     *
     * @param version the version the lines carry (the example jars' {@code 1.0.0})
     */
    public static Lines apply(DataStream<EventRecord> events, String configJson, String version) {
        Spec spec = Spec.parse(configJson, version);
        OutputTag<EventRecord> lateTag = new OutputTag<>("late-" + spec.id, RecordTypes.EVENT);
        SingleOutputStreamOperator<String> results =
                events.filter(spec)
                        .name("filter " + spec.id)
                        .setParallelism(events.getParallelism())
                        .keyBy(EventRecord::key, Types.STRING)
                        .window(spec.assigner())
                        .allowedLateness(Duration.ofMillis(spec.latenessMs))
                        .sideOutputLateData(lateTag)
                        .aggregate(
                                new Aggregate(spec),
                                new WithWindow(spec),
                                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO,
                                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO,
                                Types.STRING)
                        .name("window " + spec.id);
        DataStream<String> late =
                results.getSideOutput(lateTag)
                        .map(event -> LateEvents.line(spec.id, spec.version, event))
                        .returns(Types.STRING)
                        .name("late " + spec.id);
        return new Lines(results, late);
    }

    /** What a config says, checked; also the filter (the rule's: event type, numeric field). */
    static final class Spec implements FilterFunction<EventRecord>, Serializable {
        private static final long serialVersionUID = 1L;

        final String id;
        final String version;
        final String type;
        final long size;
        final long slide;
        final long offset;
        final long gap;
        final long latenessMs;
        final String aggregate;
        final String field;
        final String eventType;

        private Spec(Map<?, ?> config, String version) {
            Map<?, ?> window = (Map<?, ?>) config.get("window");
            this.id = (String) config.get("id");
            this.version = version;
            this.type = (String) window.get("type");
            this.size = millis(window, "size");
            this.slide = millis(window, "slide");
            this.offset = millis(window, "offset");
            this.gap = millis(window, "gap");
            this.latenessMs = millis(config, "allowed_lateness");
            this.aggregate = ((String) config.get("aggregate")).toLowerCase(Locale.ROOT);
            this.field = (String) config.get("field");
            this.eventType = (String) config.get("event_type");
        }

        static Spec parse(String json, String version) {
            try {
                return new Spec((Map<?, ?>) Json.parse(json), version);
            } catch (JsonException e) {
                throw new IllegalArgumentException(json, e);
            }
        }

        private static long millis(Map<?, ?> map, String name) {
            Object value = map.get(name);
            return value == null ? 0 : Durations.parse((String) value).toMillis();
        }

        WindowAssigner<Object, TimeWindow> assigner() {
            switch (type) {
                case "tumbling":
                    return TumblingEventTimeWindows.of(
                            Duration.ofMillis(size), Duration.ofMillis(offset));
                case "sliding":
                    return SlidingEventTimeWindows.of(
                            Duration.ofMillis(size),
                            Duration.ofMillis(slide),
                            Duration.ofMillis(offset));
                case "session":
                    return EventTimeSessionWindows.withGap(Duration.ofMillis(gap));
                default:
                    throw new IllegalArgumentException("window type " + type);
            }
        }

        @Override
        public boolean filter(EventRecord event) {
            if (eventType != null && !eventType.equals(event.type())) {
                return false;
            }
            if (field == null) {
                return true;
            }
            int i = event.indexOf(field);
            return i >= 0 && event.isNumber(i);
        }
    }

    /** {@code [aggregate..., events]}: the aggregate's slots, then the number of events added. */
    static final class Aggregate implements AggregateFunction<EventRecord, double[], double[]> {
        private static final long serialVersionUID = 1L;

        private final String aggregate;
        private final String field;

        Aggregate(Spec spec) {
            this.aggregate = spec.aggregate;
            this.field = spec.field;
        }

        @Override
        public double[] createAccumulator() {
            switch (aggregate) {
                case "min":
                    return new double[] {Double.POSITIVE_INFINITY, 0};
                case "max":
                    return new double[] {Double.NEGATIVE_INFINITY, 0};
                default:
                    return new double[2]; // count, sum: [value, n]; avg: [sum, n]
            }
        }

        @Override
        public double[] add(EventRecord event, double[] acc) {
            double value = field == null ? 0 : event.numberAt(event.indexOf(field));
            switch (aggregate) {
                case "count":
                    acc[0]++;
                    break;
                case "min":
                    acc[0] = Math.min(acc[0], value);
                    break;
                case "max":
                    acc[0] = Math.max(acc[0], value);
                    break;
                default:
                    acc[0] += value;
            }
            acc[1]++;
            return acc;
        }

        @Override
        public double[] merge(double[] a, double[] b) {
            switch (aggregate) {
                case "min":
                    a[0] = Math.min(a[0], b[0]);
                    break;
                case "max":
                    a[0] = Math.max(a[0], b[0]);
                    break;
                default:
                    a[0] += b[0];
            }
            a[1] += b[1];
            return a;
        }

        @Override
        public double[] getResult(double[] acc) {
            return new double[] {"avg".equals(aggregate) ? acc[0] / acc[1] : acc[0], acc[1]};
        }
    }

    /** Writes a window's aggregate as the sidecar path writes a window result. */
    static final class WithWindow
            extends ProcessWindowFunction<double[], String, String, TimeWindow> {
        private static final long serialVersionUID = 1L;
        private static final Attributes NONE = ProtoAttributes.view(List.of());

        private final String id;
        private final String version;

        WithWindow(Spec spec) {
            this.id = spec.id;
            this.version = spec.version;
        }

        @Override
        public void process(
                String key, Context context, Iterable<double[]> elements, Collector<String> out) {
            double[] result = elements.iterator().next();
            TimeWindow window = context.window();
            out.collect(
                    ResultJson.windowToJson(
                            id,
                            version,
                            key,
                            window.getStart(),
                            window.getEnd(),
                            result[0],
                            (long) result[1],
                            NONE));
        }
    }
}
