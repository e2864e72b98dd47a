package dev.flinksidecar.rule;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule's JSON configuration: the {@code NAME.json} beside {@code NAME.jar}, or the config given
 * to {@code admin deploy}. Values are the JSON types as Java sees them: {@link String}, {@link
 * Long} (integral numbers), {@link Double}, {@link Boolean}, {@link List}, {@link Map} of String to
 * value, or null.
 *
 * <p>The {@code require*} getters throw a {@link RuleConfigException} whose message names the
 * missing or mistyped field, which the sidecar reports when it refuses the rule; throw them from
 * {@link Rule#open}.
 */
public final class RuleConfig {

    private final String path;
    private final Map<String, Object> values;

    private RuleConfig(String path, Map<String, Object> values) {
        this.path = path;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A configuration over parsed JSON values. */
    public static RuleConfig of(Map<String, ?> values) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) values;
        return new RuleConfig("", map);
    }

    /** An empty configuration. */
    public static RuleConfig empty() {
        return new RuleConfig("", Map.of());
    }

    /** All fields, in file order. */
    public Map<String, Object> asMap() {
        return values;
    }

    /** True when the field is present (even if null). */
    public boolean has(String field) {
        return values.containsKey(field);
    }

    /** A string field, or {@code orElse} when absent. */
    public String getString(String field, String orElse) {
        return has(field) ? requireString(field) : orElse;
    }

    /** A string field that must be present. */
    public String requireString(String field) {
        return typed(field, String.class, "a string");
    }

    /** A number field as a double, or {@code orElse} when absent. */
    public double getDouble(String field, double orElse) {
        return has(field) ? requireDouble(field) : orElse;
    }

    /** A number field as a double that must be present. */
    public double requireDouble(String field) {
        return typed(field, Number.class, "a number").doubleValue();
    }

    /** An integral number field, or {@code orElse} when absent. */
    public long getLong(String field, long orElse) {
        return has(field) ? requireLong(field) : orElse;
    }

    /** An integral number field that must be present. */
    public long requireLong(String field) {
        Object value = values.get(field);
        if (value instanceof Double && ((Double) value) == Math.rint((Double) value)) {
            return ((Double) value).longValue();
        }
        return typed(field, Long.class, "a whole number");
    }

    /** A boolean field, or {@code orElse} when absent. */
    public boolean getBoolean(String field, boolean orElse) {
        return has(field) ? typed(field, Boolean.class, "true or false") : orElse;
    }

    /**
     * A duration field written like {@code "10s"} (see {@link Durations}), or {@code orElse} when
     * absent.
     */
    public Duration getDuration(String field, Duration orElse) {
        return has(field) ? requireDuration(field) : orElse;
    }

    /** A duration field written like {@code "10s"} that must be present. */
    public Duration requireDuration(String field) {
        String text = typed(field, String.class, "a duration such as \"10s\"");
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RuleConfigException("config field '" + path(field) + "': " + e.getMessage());
        }
    }

    /** A nested object field, or an empty configuration when absent. */
    public RuleConfig getObject(String field) {
        if (!has(field)) {
            return new RuleConfig(path(field), Map.of());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = typed(field, Map.class, "an object");
        return new RuleConfig(path(field), map);
    }

    private <T> T typed(String field, Class<T> type, String expected) {
        Object value = values.get(field);
        if (value == null) {
            throw new RuleConfigException(
                    "config field '"
                            + path(field)
                            + "' is "
                            + (has(field) ? "null" : "missing")
                            + "; expected "
                            + expected);
        }
        if (!type.isInstance(value)) {
            throw new RuleConfigException(
                    "config field '"
                            + path(field)
                            + "' is "
                            + describe(value)
                            + "; expected "
                            + expected);
        }
        return type.cast(value);
    }

    private String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static String describe(Object value) {
        if (value instanceof String) {
            return "the string \"" + value + "\"";
        } else if (value instanceof Map) {
            return "an object";
        } else if (value instanceof List) {
            return "an array";
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
