package dev.flinksidecar.sidecar;

import dev.flinksidecar.rule.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed setting of the sidecar: a dashed key under {@code sidecar.}, a default and a
 * description. The constants live in {@link SidecarOptions}; values come from {@link
 * SidecarConfig}.
 *
 * @param <T> the value's type
 */
public final class ConfigOption<T> {

    private final String key;
    private final String typeName;
    private final T defaultValue;
    private final String defaultText;
    private final String description;
    private final Function<String, T> parser;

    private ConfigOption(
            String key,
            String typeName,
            T defaultValue,
            String defaultText,
            String description,
            Function<String, T> parser) {
        this.key = Objects.requireNonNull(key, "key");
        this.typeName = typeName;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.description = Objects.requireNonNull(description, "description");
        this.parser = parser;
    }

    static ConfigOption<Integer> intOption(String key, int defaultValue, String description) {
        return new ConfigOption<>(
                key,
                "int",
                defaultValue,
                Integer.toString(defaultValue),
                description,
                ConfigOption::parseInt);
    }

    /** An int option whose default depends on the machine; {@code defaultText} says how. */
    static ConfigOption<Integer> intOption(
            String key, int defaultValue, String defaultText, String description) {
        return new ConfigOption<>(
                key, "int", defaultValue, defaultText, description, ConfigOption::parseInt);
    }

    static ConfigOption<Boolean> booleanOption(
            String key, boolean defaultValue, String description) {
        return new ConfigOption<>(
                key,
                "boolean",
                defaultValue,
                Boolean.toString(defaultValue),
                description,
                ConfigOption::parseBoolean);
    }

    static ConfigOption<Duration> durationOption(
            String key, Duration defaultValue, String description) {
        return new ConfigOption<>(
                key,
                "duration",
                defaultValue,
                Durations.format(defaultValue),
                description,
                Durations::parse);
    }

    /** A string option whose empty default means something {@code defaultText} says. */
    static ConfigOption<String> stringOption(String key, String defaultText, String description) {
        return new ConfigOption<>(key, "string", "", defaultText, description, Function.identity());
    }

    /** A string option with a default value. */
    static ConfigOption<String> textOption(String key, String defaultValue, String description) {
        return new ConfigOption<>(
                key, "string", defaultValue, defaultValue, description, Function.identity());
    }

    /** A string option without a default: it must be given (its flag names it). */
    static ConfigOption<String> requiredString(String key, String description) {
        return new ConfigOption<>(
                key, "string", null, "(required)", description, Function.identity());
    }

    /**
     * A comma-separated list of numeric user or group ids ({@code 9999,10001}), empty by default;
     * {@code what} ("user", "group") names them in errors.
     */
    static ConfigOption<List<Integer>> idsOption(String key, String what, String description) {
        return new ConfigOption<>(
                key, "ids", List.of(), "(none)", description, text -> parseIds(text, what));
    }

    /** The dashed key, e.g. {@code sidecar.transport.max-frame-bytes}. */
    public String key() {
        return key;
    }

    /**
     * {@code int}, {@code boolean}, {@code duration}, {@code string} or {@code ids}, as the docs
     * show it.
     */
    public String typeName() {
        return typeName;
    }

    /** The default, or null when the option has none and must be given. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as the docs show it. */
    public String defaultText() {
        return defaultText;
    }

    /** What the option does, for the docs and {@code --help}. */
    public String description() {
        return description;
    }

    /**
     * Parses a value given as text.
     *
     * @throws IllegalArgumentException naming the key and the expected form
     */
    public T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static Integer parseInt(String text) {
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
    }

    private static List<Integer> parseIds(String text, String what) {
        List<Integer> ids = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String id = part.trim();
            if (id.isEmpty() && text.isBlank()) {
                continue;
            }
            if (id.isEmpty()
                    || id.length() > 10
                    || !id.chars().allMatch(Character::isDigit)
                    || Long.parseLong(id) > 0xFFFF_FFFEL) {
                throw new IllegalArgumentException(
                        "'" + id + "' is not a numeric " + what + " id (write e.g. 9999,10001)");
            }
            ids.add((int) Long.parseLong(id));
        }
        return List.copyOf(ids);
    }

    private static Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException("'" + text + "' is not true or false");
    }

    @Override
    public String toString() {
        return key;
    }
}
