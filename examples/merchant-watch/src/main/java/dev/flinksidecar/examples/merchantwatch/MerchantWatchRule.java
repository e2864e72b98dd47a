package dev.flinksidecar.examples.merchantwatch;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.ResultCollector;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.RuleContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Flags events at watched merchants or in watched countries: an example of a rule over string
 * attributes.
 *
 * <p>Config ({@code merchant-watch.json}):
 *
 * <pre>{@code
 * {"id": "merchant-watch", "merchants": ["Lucky Star Casino"], "countries": ["BR", "TH"]}
 * }</pre>
 *
 * <p>For each event, at most one result:
 *
 * <ul>
 *   <li>when the string attribute {@code merchant} is one of {@code merchants}: attributes {@code
 *       merchant}, {@code country} (when the event has a string {@code country}) and {@code reason
 *       = "merchant"};
 *   <li>else when the string attribute {@code country} is one of {@code countries}: attributes
 *       {@code merchant} (when the event has a string {@code merchant}), {@code country} and {@code
 *       reason = "country"}.
 * </ul>
 *
 * <p>Matching is exact and case-sensitive. Both lists must be present (either may be empty), so a
 * misspelt field name is refused rather than silently watching nothing.
 */
public final class MerchantWatchRule implements Rule {

    private Set<String> merchants;
    private Set<String> countries;

    @Override
    public void open(RuleContext context) {
        Map<String, Object> config = context.config().asMap();
        merchants = strings(config, "merchants");
        countries = strings(config, "countries");
    }

    private static Set<String> strings(Map<String, Object> config, String field) {
        Object value = config.get(field);
        if (!(value instanceof List)) {
            throw new RuleConfigException(
                    "config field '"
                            + field
                            + "' is "
                            + (value == null
                                    ? (config.containsKey(field) ? "null" : "missing")
                                    : "not an array")
                            + "; expected an array of strings");
        }
        Set<String> set = new HashSet<>();
        List<?> list = (List<?>) value;
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String)) {
                throw new RuleConfigException(
                        "config field '"
                                + field
                                + "["
                                + i
                                + "]' is "
                                + list.get(i)
                                + "; expected a string");
            }
            set.add((String) list.get(i));
        }
        return set;
    }

    @Override
    public void onEvent(Event event, ResultCollector out) {
        String merchant = event.getString("merchant");
        String country = event.getString("country");
        String reason;
        if (merchant != null && merchants.contains(merchant)) {
            reason = "merchant";
        } else if (country != null && countries.contains(country)) {
            reason = "country";
        } else {
            return;
        }
        Result result = Result.of(event);
        if (merchant != null) {
            result.set("merchant", merchant);
        }
        if (country != null) {
            result.set("country", country);
        }
        out.emit(result.set("reason", reason));
    }
}
