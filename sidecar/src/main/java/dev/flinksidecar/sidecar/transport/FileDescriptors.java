package dev.flinksidecar.sidecar.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's limit of open files against the connection cap: a cap the limit cannot hold would
 * let a flood of connections exhaust the descriptors, and every accept would fail ("Too many open
 * files", see {@link AcceptBackoff}) instead of refusing the connection with a clear message.
 *
 * <p>Reads the limit from {@code /proc/self/limits} (Linux; elsewhere it says nothing), which costs
 * no class beyond the file API the start uses anyway (the JVM's management beans would load some
 * hundred classes).
 *
 * <p>Threads: any.
 */
final class FileDescriptors {

    private static final Logger LOG = LoggerFactory.getLogger(FileDescriptors.class);

    /** Descriptors the JVM, the rules directory, the jars and the other sockets may need. */
    static final long RESERVE = 256;

    private static final Path LIMITS = Path.of("/proc/self/limits");

    private FileDescriptors() {}

    /**
     * Logs a warning when {@code maxConnections} and the reserve do not fit the process's limit.
     */
    static void warnIfTooFew(int maxConnections) {
        long limit = openFileLimit();
        if (limit > 0 && maxConnections + RESERVE > limit) {
            LOG.warn(
                    "sidecar.transport.max-connections {} leaves fewer than {} of this process's {} file descriptors "
                            + "(ulimit -n) for everything else: lower it or raise the limit",
                    maxConnections,
                    RESERVE,
                    limit);
        }
    }

    /** The soft limit of open files, or -1 when unknown or unlimited. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(LIMITS)) {
                if (line.startsWith("Max open files")) {
                    String[] fields =
                            line.substring("Max open files".length()).trim().split("\\s+");
                    return fields[0].matches("[0-9]+") ? Long.parseLong(fields[0]) : -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: nothing to say
        }
        return -1;
    }
}
