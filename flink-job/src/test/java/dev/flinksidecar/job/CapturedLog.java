package dev.flinksidecar.job;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one logger of this JVM (a MiniCluster's tasks run here) writes at WARN and above, with
 * when they were written, for as long as it is open. The lines still reach the console as well.
 */
final class CapturedLog implements AutoCloseable {

    /** One captured line: its level and message, and {@link System#nanoTime()} when it came. */
    record Line(String text, long nanos) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final String logger;
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender;

    CapturedLog(String logger) {
        this.logger = logger;
        appender =
                new AbstractAppender("captured-" + logger, null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        lines.add(
                                new Line(
                                        event.getLevel()
                                                + " "
                                                + event.getMessage().getFormattedMessage(),
                                        System.nanoTime()));
                    }
                };
        appender.start();
        LoggerConfig config = new LoggerConfig(logger, Level.WARN, true);
        config.addAppender(appender, Level.WARN, null);
        context.getConfiguration().addLogger(logger, config);
        context.updateLoggers();
    }

    /** The first line written from {@code sinceNanos} on that {@code matches}, if one came. */
    Optional<Line> first(long sinceNanos, Predicate<String> matches) {
        return lines.stream()
                .filter(line -> line.nanos() - sinceNanos >= 0 && matches.test(line.text()))
                .findFirst();
    }

    /** Every line captured so far. */
    List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(logger);
        context.updateLoggers();
        appender.stop();
    }
}
