package dev.flinksidecar.sidecar.logging;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Makes the loggers and gives each its level: property {@code org.slf4j.simpleLogger.log.NAME} of
 * the logger's name or the nearest of its parents (dot-separated), else {@code
 * org.slf4j.simpleLogger.defaultLogLevel}, else {@code info}. Values: {@code trace}, {@code debug},
 * {@code info}, {@code warn}, {@code error}, {@code off}; any other is named on stderr once and
 * read as the default.
 */
final class SidecarLoggerFactory implements ILoggerFactory {

    static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    static final String LOGGER_LEVEL = "org.slf4j.simpleLogger.log.";

    /** Above every level: the logger writes nothing. */
    static final int OFF = Level.ERROR.toInt() + 10;

    private final Properties properties;
    private final int defaultLevel;
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    SidecarLoggerFactory(Properties properties) {
        this.properties = properties;
        this.defaultLevel =
                level(DEFAULT_LEVEL, properties.getProperty(DEFAULT_LEVEL), Level.INFO.toInt());
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new SidecarLogger(n, levelOf(n)));
    }

    /** The level of logger {@code name}, as an SLF4J level's {@code toInt()} or {@link #OFF}. */
    int levelOf(String name) {
        for (String prefix = name; ; prefix = prefix.substring(0, prefix.lastIndexOf('.'))) {
            String key = LOGGER_LEVEL.concat(prefix);
            String value = properties.getProperty(key);
            if (value != null) {
                return level(key, value, defaultLevel);
            }
            if (prefix.lastIndexOf('.') < 0) {
                return defaultLevel;
            }
        }
    }

    private static int level(String key, String value, int otherwise) {
        if (value == null) {
            return otherwise;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "trace":
                return Level.TRACE.toInt();
            case "debug":
                return Level.DEBUG.toInt();
            case "info":
                return Level.INFO.toInt();
            case "warn":
                return Level.WARN.toInt();
            case "error":
                return Level.ERROR.toInt();
            case "off":
                return OFF;
            default:
                System.err.println(
                        "sidecar logging: "
                                + key
                                + "="
                                + value
                                + " is not a level (trace, debug, info, warn, error, off); using the default");
                return otherwise;
        }
    }
}
