package dev.flinksidecar.sidecar.logging;

import java.io.PrintStream;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One logger: writes {@code TIME [THREAD] [LEVEL] SHORT-NAME - MESSAGE} and the stack trace of a
 * throwable, in one write, to whatever {@code System.err} is at the time.
 */
final class SidecarLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    private final String shortName;
    private final int threshold;

    SidecarLogger(String name, int level) {
        this.name = name;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
        this.threshold = level;
    }

    @Override
    public boolean isTraceEnabled() {
        return threshold <= Level.TRACE.toInt();
    }

    @Override
    public boolean isDebugEnabled() {
        return threshold <= Level.DEBUG.toInt();
    }

    @Override
    public boolean isInfoEnabled() {
        return threshold <= Level.INFO.toInt();
    }

    @Override
    public boolean isWarnEnabled() {
        return threshold <= Level.WARN.toInt();
    }

    @Override
    public boolean isErrorEnabled() {
        return threshold <= Level.ERROR.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level,
            Marker marker,
            String messagePattern,
            Object[] arguments,
            Throwable throwable) {
        StringBuilder line = new StringBuilder(128);
        LogTimestamp.append(line, System.currentTimeMillis());
        line.append(" [")
                .append(Thread.currentThread().getName())
                .append("] [")
                .append(level)
                .append("] ")
                .append(shortName)
                .append(" - ")
                .append(
                        arguments == null
                                ? messagePattern
                                : MessageFormatter.basicArrayFormat(messagePattern, arguments))
                .append(System.lineSeparator());
        PrintStream err = System.err;
        synchronized (err) {
            err.print(line);
            if (throwable != null) {
                throwable.printStackTrace(err);
            }
            err.flush();
        }
    }
}
