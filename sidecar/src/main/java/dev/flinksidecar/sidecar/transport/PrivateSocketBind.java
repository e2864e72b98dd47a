package dev.flinksidecar.sidecar.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Binds a server to a Unix domain socket path so that the socket file never has a wider mode than
 * its {@link SocketPermissions}, whatever the process's umask, not even for a moment.
 *
 * <p>bind(2) creates the socket file with {@code 0777 & ~umask}, and Java cannot set the umask (it
 * is process-wide and other threads create files too), nor set the mode of a socket before it has a
 * path. So the socket is bound in a new folder beside its path that only the sidecar's user can
 * enter ({@code rwx------}: whatever the socket's mode there, nobody else can reach it), given its
 * mode and group there, then hard-linked into its path, and the folder removed. The link appears
 * with the final mode already set; link(2) fails when the path exists, so a socket that another
 * process made there in the meantime is never replaced. (Setting the mode right after binding at
 * the final path would leave a moment in which anyone could connect.)
 *
 * <p>Binding in a private folder also means that the file is never changed through a path that
 * someone else could have replaced with a link (setting the mode right after binding at the final
 * path would follow a link that another user put there in a folder they can write to).
 *
 * <p>The kernel keeps the name a socket was bound with: {@code ss -xl}, {@code lsof} and {@code
 * /proc/net/unix} show it as {@code DIR/.sXXXXXX/NAME} (a folder gone by then), not {@code
 * DIR/NAME}. The bind path is {@link #EXTRA_PATH_BYTES} bytes longer than the socket's; {@link
 * SocketFiles#prepare} checks that it still fits.
 *
 * <p>Blocks; any thread but an event loop.
 */
public final class PrivateSocketBind {

    /** What the private folder adds to the socket's path. */
    static final int EXTRA_PATH_BYTES = "/.s000000".length();

    private static final int MAX_NAME_ATTEMPTS = 100;
    private static final Set<PosixFilePermission> PRIVATE =
            PosixFilePermissions.fromString("rwx------");

    private PrivateSocketBind() {}

    /**
     * Binds {@code bootstrap} to {@code socket} with {@code permissions} (see the class comment).
     *
     * @return the bound server channel
     * @throws IOException when binding, setting the mode or linking fails; nothing is left behind
     */
    public static Channel bind(
            ServerBootstrap bootstrap,
            Transport transport,
            Path socket,
            SocketPermissions permissions)
            throws IOException {
        Path folder = createPrivateFolder(socket.getParent());
        Path temporary = folder.resolve(socket.getFileName());
        try {
            ChannelFuture bind =
                    bootstrap.bind(transport.address(temporary)).awaitUninterruptibly();
            if (!bind.isSuccess()) {
                throw new IOException(String.valueOf(bind.cause()), bind.cause());
            }
            Channel channel = bind.channel();
            try {
                permissions.applyTo(temporary);
                Files.createLink(socket, temporary);
            } catch (FileAlreadyExistsException e) {
                channel.close().awaitUninterruptibly();
                throw new IOException(socket + " was created by another process meanwhile", e);
            } catch (IOException | RuntimeException e) {
                channel.close().awaitUninterruptibly();
                throw e;
            }
            return channel;
        } finally {
            Files.deleteIfExists(temporary);
            Files.deleteIfExists(folder);
        }
    }

    /** A new folder {@code .sXXXXXX} in {@code parent}, {@code rwx------} whatever the umask. */
    private static Path createPrivateFolder(Path parent) throws IOException {
        for (int attempt = 1; ; attempt++) {
            long unique = (System.nanoTime() ^ ProcessHandle.current().pid() << 20) & 0x7fffffffL;
            String name = Long.toString(unique % 2_176_782_336L, 36); // 36^6: six digits at most
            Path folder = parent.resolve(".s".concat("0".repeat(6 - name.length())).concat(name));
            try {
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (FileAlreadyExistsException taken) {
                if (attempt == MAX_NAME_ATTEMPTS) {
                    throw taken;
                }
                continue;
            }
            // the umask may have taken bits away (never added any): make it exactly rwx------
            Files.setPosixFilePermissions(folder, PRIVATE);
            return folder;
        }
    }
}
