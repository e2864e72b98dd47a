package dev.flinksidecar.events.wire;

import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.WindowFiring;
import dev.flinksidecar.rule.Attributes;

/**
 * Result lines (README, "Files"): {@code rule}, {@code version}, {@code key}, {@code time}, then
 * the result's attributes in the order the rule set them.
 *
 * <pre>{"rule":"threshold","version":"1.0.0","key":"card-0042","time":1767225600123,"value":1250.5}
 * </pre>
 *
 * <p>Window results (a {@link Result} with a {@code window}) have {@code window_start}, {@code
 * window_end} (epoch ms, end exclusive), {@code value} and {@code count} in place of {@code time}:
 *
 * <pre>
 * {"rule":"spend","version":"1.0.0","key":"card-0042","window_start":1767225600000,"window_end":1767225610000,"value":1250.5,"count":3}
 * </pre>
 *
 * <p>LONG attributes are written as integers, DOUBLE ones (and a window's {@code value}) as Java
 * writes doubles ({@link Double#toString}: 1250.5, 1300.0, 3.0, 1.0E10), NaN and infinities as
 * null. A window's {@code count} is the number of events aggregated, an integer.
 */
public final class ResultJson {

    private ResultJson() {}

    /** One result line, without the line break. */
    public static String toJson(
            String rule, String version, String key, long time, Attributes attributes) {
        StringBuilder out = new StringBuilder(96 + 24 * attributes.attributeCount());
        out.append("{\"rule\":");
        JsonWriter.string(out, rule);
        out.append(",\"version\":");
        JsonWriter.string(out, version);
        out.append(",\"key\":");
        JsonWriter.string(out, key);
        out.append(",\"time\":").append(time);
        JsonWriter.attributes(out, attributes);
        return out.append('}').toString();
    }

    /**
     * One window result line, without the line break: rule, version, key, window_start, window_end,
     * value, count, then {@code attributes} (usually none).
     */
    public static String windowToJson(
            String rule,
            String version,
            String key,
            long windowStart,
            long windowEnd,
            double value,
            long count,
            Attributes attributes) {
        StringBuilder out = new StringBuilder(160 + 24 * attributes.attributeCount());
        out.append("{\"rule\":");
        JsonWriter.string(out, rule);
        out.append(",\"version\":");
        JsonWriter.string(out, version);
        out.append(",\"key\":");
        JsonWriter.string(out, key);
        out.append(",\"window_start\":").append(windowStart);
        out.append(",\"window_end\":").append(windowEnd);
        out.append(",\"value\":");
        JsonWriter.number(out, value);
        out.append(",\"count\":").append(count);
        JsonWriter.attributes(out, attributes);
        return out.append('}').toString();
    }

    /**
     * The line of a result as it came over the wire, with the rule it refers to (a window line when
     * it has a window).
     */
    public static String toJson(RuleRef rule, Result result) {
        if (result.hasWindow()) {
            WindowFiring window = result.getWindow();
            return windowToJson(
                    rule.getId(),
                    rule.getVersion(),
                    result.getKey(),
                    window.getStart(),
                    window.getEnd(),
                    window.getValue(),
                    window.getCount(),
                    ProtoAttributes.view(result.getAttributesList()));
        }
        return toJson(
                rule.getId(),
                rule.getVersion(),
                result.getKey(),
                result.getTime(),
                ProtoAttributes.view(result.getAttributesList()));
    }
}
