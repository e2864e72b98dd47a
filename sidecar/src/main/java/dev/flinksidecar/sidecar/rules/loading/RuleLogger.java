package dev.flinksidecar.sidecar.rules.loading;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link System.Logger} a rule gets from its context, writing to the sidecar's log under {@code
 * rule.ID}. The rule API uses the JDK's logger type so that rule authors need no logging framework;
 * this adapter routes it to the sidecar's SLF4J backend.
 */
final class RuleLogger implements System.Logger {

    private final Logger log;

    RuleLogger(String ruleId) {
        this.log = LoggerFactory.getLogger("rule.".concat(ruleId));
    }

    @Override
    public String getName() {
        return log.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        switch (level) {
            case ALL:
            case TRACE:
                return log.isTraceEnabled();
            case DEBUG:
                return log.isDebugEnabled();
            case INFO:
                return log.isInfoEnabled();
            case WARNING:
                return log.isWarnEnabled();
            case ERROR:
                return log.isErrorEnabled();
            default:
                return false;
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (isLoggable(level)) {
            write(level, message, thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            write(
                    level,
                    params == null || params.length == 0
                            ? format
                            : MessageFormat.format(format, params),
                    null);
        }
    }

    @Override
    public void log(Level level, Supplier<String> message) {
        if (isLoggable(level)) {
            write(level, message.get(), null);
        }
    }

    private void write(Level level, String message, Throwable thrown) {
        switch (level) {
            case ALL:
            case TRACE:
                log.trace(message, thrown);
                break;
            case DEBUG:
                log.debug(message, thrown);
                break;
            case INFO:
                log.info(message, thrown);
                break;
            case WARNING:
                log.warn(message, thrown);
                break;
            default:
                log.error(message, thrown);
        }
    }
}
