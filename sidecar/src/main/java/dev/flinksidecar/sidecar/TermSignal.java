package dev.flinksidecar.sidecar;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM as a request to stop: without a handler the JVM runs its shutdown hooks and exits with
 * 143 (128 + 15), whatever they did; with this one {@code serve} drains, removes its sockets and
 * returns 0, as sidecar/OPTIONS.md promises (Kubernetes and supervisors read a non-zero code as a
 * failure). Uses {@code sun.misc.Signal} (module jdk.unsupported, in every JDK); where it cannot
 * handle the signal, the shutdown hook still stops the sidecar cleanly, exiting with 143.
 *
 * <p>Threads: the handler runs on the JVM's signal thread and must only start the stop.
 */
final class TermSignal {

    private static final Logger LOG = LoggerFactory.getLogger(TermSignal.class);

    private TermSignal() {}

    /** Runs {@code onTerm} at SIGTERM instead of the JVM's exit. */
    static void onTerm(Runnable onTerm) {
        try {
            Signal.handle(new Signal("TERM"), signal -> onTerm.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn(
                    "cannot handle SIGTERM ({}); it will stop the sidecar with exit code 143",
                    e.toString());
        }
    }
}
