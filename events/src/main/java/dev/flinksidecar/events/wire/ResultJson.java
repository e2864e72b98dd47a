package dev.flinksidecar.events.wire;

import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Attributes;

/**
 * Result lines (DESIGN.md "Files"): {@code rule}, {@code version}, {@code key}, {@code time},
 * then the result's attributes in the order the rule set them.
 *
 * <pre>{"rule":"threshold","version":"1.0.0","key":"card-0042","time":1767225600123,"value":1250.5}</pre>
 *
 * <p>LONG attributes are written as integers, DOUBLE ones as Java writes doubles (1250.5, 1300.0),
 * NaN and infinities as null.
 */
public final class ResultJson {

    private ResultJson() {}

    /** One result line, without the line break. */
    public static String toJson(String rule, String version, String key, long time, Attributes attributes) {
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

    /** The line of a result as it came over the wire, with the rule it refers to. */
    public static String toJson(RuleRef rule, Result result) {
        return toJson(rule.getId(), rule.getVersion(), result.getKey(), result.getTime(),
                ProtoAttributes.view(result.getAttributesList()));
    }
}
