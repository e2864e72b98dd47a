package dev.flinksidecar.sidecar.diff;

import dev.flinksidecar.events.wire.ProtoAttributes;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Attributes;

/**
 * One result of one rule version as {@link ResultDiffer} compares it: its {@link ResultId}, the
 * version that made it (shown, never compared) and its attributes; a window result's {@code value}
 * and {@code count} count as attributes. Its result line ({@link #json()}) is written only when a
 * difference shows it. Immutable; holds the protobuf result it reads.
 */
public final class ComparedResult {

    private final ResultId id;
    private final RuleRef rule;
    private final Result result;

    private ComparedResult(ResultId id, RuleRef rule, Result result) {
        this.id = id;
        this.rule = rule;
        this.result = result;
    }

    /** The result {@code result} of the rule version {@code rule}, as an engine answered it. */
    public static ComparedResult of(RuleRef rule, Result result) {
        ResultId id =
                result.hasWindow()
                        ? ResultId.ofWindow(
                                rule.getId(),
                                result.getKey(),
                                result.getWindow().getStart(),
                                result.getWindow().getEnd())
                        : ResultId.ofTime(rule.getId(), result.getKey(), result.getTime());
        return new ComparedResult(id, rule, result);
    }

    public ResultId id() {
        return id;
    }

    /** The version that made it, e.g. {@code 1.0.0+3f2a9c1}. */
    public String version() {
        return rule.getVersion();
    }

    /** The rule's attributes, without a window's value and count. */
    public Attributes attributes() {
        return ProtoAttributes.view(result.getAttributesList());
    }

    /** A window result's aggregate value; NaN for a per-event result. */
    public double windowValue() {
        return result.hasWindow() ? result.getWindow().getValue() : Double.NaN;
    }

    /** A window result's event count; 0 for a per-event result. */
    public long windowCount() {
        return result.hasWindow() ? result.getWindow().getCount() : 0;
    }

    /** The result line as {@code replay} writes it (without line break). */
    public String json() {
        return ResultJson.toJson(rule, result);
    }

    @Override
    public String toString() {
        return json();
    }
}
