package dev.flinksidecar.sidecar.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a socket path before binding, and replaces a stale socket file safely: a sidecar that was
 * killed leaves its socket file behind, and binding fails while it exists.
 *
 * <ul>
 *   <li>something accepts connections on it: refuse (another sidecar is running there);
 *   <li>a socket nobody accepts on: stale, delete it;
 *   <li>a regular file, folder or link: refuse, it is not ours to delete.
 * </ul>
 *
 * <p>The path must also leave room for the private folder {@link PrivateSocketBind} binds in.
 */
public final class SocketFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SocketFiles.class);

    /** {@code sizeof(sun_path) - 1} on Linux: the longest path a Unix socket address holds. */
    static final int MAX_PATH_BYTES = 107;

    private SocketFiles() {}

    /**
     * Makes {@code socket} ready to bind.
     *
     * @throws SocketPathException naming the path and the problem when it cannot be used
     */
    public static void prepare(Path socket) throws SocketPathException {
        Path path = socket.toAbsolutePath();
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new SocketPathException(
                    "socket path "
                            + path
                            + " is "
                            + bytes
                            + " bytes long; a Unix domain socket path holds at most "
                            + MAX_PATH_BYTES
                            + " bytes",
                    false);
        }
        Path dir = path.getParent();
        int bindBytes = bytes + PrivateSocketBind.EXTRA_PATH_BYTES;
        if (bindBytes > MAX_PATH_BYTES) {
            throw new SocketPathException(
                    "socket path "
                            + path
                            + " is too long: the sidecar binds it first in a private folder beside"
                            + " it, a path of "
                            + bindBytes
                            + " bytes, and a Unix domain socket path holds at most "
                            + MAX_PATH_BYTES
                            + " bytes",
                    false);
        }
        if (!Files.isDirectory(dir)) {
            throw new SocketPathException(
                    "cannot create socket " + path + ": directory " + dir + " does not exist",
                    false);
        }
        if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
            throw new SocketPathException(
                    "cannot create socket " + path + ": directory " + dir + " is not writable",
                    false);
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attributes;
        try {
            attributes =
                    Files.readAttributes(
                            path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new SocketPathException("cannot inspect existing file " + path + ": " + e, false);
        }
        if (!attributes.isOther()) {
            throw new SocketPathException(
                    path + " exists and is not a socket; refusing to replace it", false);
        }
        if (accepting(path)) {
            throw new SocketPathException(
                    "another process is accepting connections on "
                            + path
                            + "; stop it or choose another --socket",
                    true);
        }
        try {
            Files.deleteIfExists(path);
            LOG.info("replaced stale socket file {}", path);
        } catch (IOException e) {
            throw new SocketPathException(
                    "cannot delete stale socket file " + path + ": " + e, false);
        }
    }

    /** True when a connect to {@code path} succeeds: a live server owns it. */
    static boolean accepting(Path path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the socket file at exit; a failure is logged. */
    public static void remove(Path socket) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("could not remove socket file {}: {}", socket, e.toString());
        }
    }
}
