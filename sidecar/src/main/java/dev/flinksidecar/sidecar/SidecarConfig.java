package dev.flinksidecar.sidecar;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The values of {@link SidecarOptions} for one run: immutable once built. Unknown keys are refused,
 * so a misspelt setting is an error instead of a silent default.
 */
public final class SidecarConfig {

    private final Map<String, String> values;

    private SidecarConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** All defaults. */
    public static SidecarConfig defaults() {
        return new SidecarConfig(new LinkedHashMap<>());
    }

    /** The defaults overridden by the JVM system properties whose names are option keys. */
    public static SidecarConfig fromSystemProperties() {
        Properties properties = System.getProperties();
        Map<String, String> values = new LinkedHashMap<>();
        for (ConfigOption<?> option : SidecarOptions.all()) {
            String value = properties.getProperty(option.key());
            if (value != null) {
                values.put(option.key(), value);
            }
        }
        return new SidecarConfig(values);
    }

    /**
     * This configuration with {@code key} set to {@code value}.
     *
     * @throws IllegalArgumentException when no option has that key, or the value does not parse
     */
    public SidecarConfig with(String key, String value) {
        ConfigOption<?> option =
                SidecarOptions.all().stream()
                        .filter(o -> o.key().equals(key))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "unknown setting '"
                                                        + key
                                                        + "'; known settings: "
                                                        + SidecarOptions.all().stream()
                                                                .map(ConfigOption::key)
                                                                .collect(
                                                                        Collectors.joining(", "))));
        option.parse(value);
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new SidecarConfig(copy);
    }

    /** This configuration with every {@code KEY=VALUE} of {@code settings} applied, in order. */
    public SidecarConfig withAll(Map<String, String> settings) {
        SidecarConfig config = this;
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            config = config.with(setting.getKey(), setting.getValue());
        }
        return config;
    }

    /**
     * The configuration a command runs with: system properties, then {@code --conf} settings.
     *
     * @throws CliException (usage) naming an unknown key or a value that does not parse
     */
    public static SidecarConfig forCommand(Map<String, String> conf) {
        try {
            return fromSystemProperties().withAll(conf);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.USAGE);
        }
    }

    /** This configuration with {@code option} set to {@code value}. */
    public <T> SidecarConfig with(ConfigOption<T> option, Object value) {
        return with(option.key(), String.valueOf(value));
    }

    /**
     * The value of {@code option}: the one set, else its default.
     *
     * @throws IllegalArgumentException when the option has no default and was not set
     */
    public <T> T get(ConfigOption<T> option) {
        String text = values.get(option.key());
        if (text != null) {
            return option.parse(text);
        }
        if (option.defaultValue() == null) {
            throw new IllegalArgumentException(option.key() + " is not set");
        }
        return option.defaultValue();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
