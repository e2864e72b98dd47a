package dev.flinksidecar.sidecar.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of the sidecar's own process. It is named by the system property {@code
 * slf4j.provider} ({@link #install()}, from the process's {@code main}), not through a service
 * file: the sidecar's jar is also on the classpath of a Flink job, which brings its own logging
 * backend.
 */
public final class SidecarLogging implements SLF4JServiceProvider {

    private static final String PROVIDER_PROPERTY = "slf4j.provider";

    /**
     * SLF4J's own messages; at its default (INFO) it would note the explicit provider on every
     * start.
     */
    private static final String VERBOSITY_PROPERTY = "slf4j.internal.verbosity";

    private ILoggerFactory loggerFactory;
    private IMarkerFactory markerFactory;
    private MDCAdapter mdcAdapter;

    /**
     * Makes this the SLF4J provider of this JVM, unless property {@code slf4j.provider} names
     * another. Call before the first logger is made.
     */
    public static void install() {
        if (System.getProperty(PROVIDER_PROPERTY) == null) {
            System.setProperty(PROVIDER_PROPERTY, SidecarLogging.class.getName());
            if (System.getProperty(VERBOSITY_PROPERTY) == null) {
                System.setProperty(VERBOSITY_PROPERTY, "WARN");
            }
        }
    }

    @Override
    public void initialize() {
        loggerFactory = new SidecarLoggerFactory(System.getProperties());
        markerFactory = new BasicMarkerFactory();
        mdcAdapter = new NOPMDCAdapter();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggerFactory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markerFactory;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
