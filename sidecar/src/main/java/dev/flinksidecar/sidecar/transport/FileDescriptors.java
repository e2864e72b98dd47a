package dev.flinksidecar.sidecar.transport;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's limit of open files against the connection cap: a cap the limit cannot hold would
 * let a flood of connections exhaust the descriptors, and the accept loop would fail on every new
 * one ("Too many open files") instead of refusing it with a clear message.
 *
 * <p>Threads: any.
 */
final class FileDescriptors {

    private static final Logger LOG = LoggerFactory.getLogger(FileDescriptors.class);

    /** Descriptors the JVM, the rules directory, the jars and the other sockets may need. */
    static final long RESERVE = 256;

    private FileDescriptors() {}

    /**
     * Logs a warning when {@code maxConnections} and the reserve do not fit the process's limit.
     */
    static void warnIfTooFew(int maxConnections) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean)) {
            return;
        }
        long limit = ((UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        if (limit > 0 && maxConnections + RESERVE > limit) {
            LOG.warn(
                    "sidecar.transport.max-connections {} leaves fewer than {} of this process's {} file descriptors "
                            + "(ulimit -n) for everything else: lower it or raise the limit",
                    maxConnections,
                    RESERVE,
                    limit);
        }
    }
}
