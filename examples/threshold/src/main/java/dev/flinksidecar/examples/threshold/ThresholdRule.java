package dev.flinksidecar.examples.threshold;

import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.ResultCollector;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.RuleContext;

/**
 * Emits one result for each event whose numeric attribute {@code field} is greater than {@code
 * limit}.
 *
 * <p>Config ({@code threshold.json}):
 *
 * <pre>{@code
 * {"id": "threshold", "field": "amount", "limit": 1000}
 * }</pre>
 *
 * <p>The result has the event's key and time and one attribute, {@code value}: the field's value
 * with its type kept (a {@code LONG} stays an integer, a {@code DOUBLE} a floating point number).
 * An event without the field, or with a field that is not a number, gives no result. NaN is greater
 * than nothing.
 *
 * <p>A {@code LONG} value is compared with an integral {@code limit} as a long, so values beyond
 * 2^53 are compared exactly.
 */
public final class ThresholdRule implements Rule {

    private String field;
    private double limit;
    private boolean integralLimit;
    private long longLimit;

    @Override
    public void open(RuleContext context) {
        RuleConfig config = context.config();
        field = config.requireString("field");
        if (field.isEmpty()) {
            throw new RuleConfigException(
                    "config field 'field' is empty; expected the name of a numeric attribute");
        }
        Object raw = config.asMap().get("limit");
        if (raw instanceof Long) {
            integralLimit = true;
            longLimit = (Long) raw;
            limit = longLimit;
        } else {
            limit = config.requireDouble("limit");
            if (Double.isNaN(limit)) {
                throw new RuleConfigException("config field 'limit' is NaN; expected a number");
            }
        }
    }

    @Override
    public void onEvent(Event event, ResultCollector out) {
        int i = event.indexOf(field);
        if (i < 0) {
            return;
        }
        AttributeType type = event.attributeType(i);
        if (type == AttributeType.LONG) {
            long value = event.longAt(i);
            if (integralLimit ? value > longLimit : value > limit) {
                out.emit(Result.of(event).set("value", value));
            }
        } else if (type == AttributeType.DOUBLE) {
            double value = event.doubleAt(i);
            if (value > limit) {
                out.emit(Result.of(event).set("value", value));
            }
        }
    }
}
