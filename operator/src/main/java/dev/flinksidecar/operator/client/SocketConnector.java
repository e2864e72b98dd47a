package dev.flinksidecar.operator.client;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens a Unix domain socket connection (the JDK's own {@link SocketChannel}), retrying until a
 * deadline: a sidecar that starts beside the TaskManager may come up a little after it. Between
 * attempts it waits with a short growing back-off, never past the deadline.
 */
public final class SocketConnector {

    private static final long FIRST_BACKOFF_MS = 5;
    private static final long MAX_BACKOFF_MS = 200;

    private SocketConnector() {}

    /**
     * Connects to {@code socket}, trying until {@code timeout} has passed.
     *
     * @return the connected channel, in blocking mode
     * @throws SidecarUnavailableException "no sidecar is listening on PATH: why" when the deadline
     *     passes
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public static SocketChannel connect(Path socket, Duration timeout)
            throws IOException, InterruptedException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            SocketChannel connection = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                connection.connect(address);
                return connection;
            } catch (IOException e) {
                connection.close();
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) {
                    throw new SidecarUnavailableException(
                            "no sidecar is listening on "
                                    + socket
                                    + ": "
                                    + reason(socket, e)
                                    + " (waited "
                                    + timeout.toMillis()
                                    + " ms; start the sidecar with"
                                    + " `java -jar sidecar.jar serve --socket "
                                    + socket
                                    + " --rules-dir DIR`)",
                            e);
                }
                Thread.sleep(Math.min(backoff, remainingMs));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    /** Whether something accepts connections on {@code socket} right now (one attempt, no wait). */
    public static boolean accepts(Path socket) {
        try (SocketChannel connection = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            connection.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String reason(Path socket, IOException e) {
        if (!Files.exists(socket)) {
            return "the socket file does not exist";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
