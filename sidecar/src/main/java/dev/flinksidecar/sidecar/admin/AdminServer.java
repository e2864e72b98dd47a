package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.sidecar.transport.AcceptBackoff;
import dev.flinksidecar.sidecar.transport.KernelPeerCredentials;
import dev.flinksidecar.sidecar.transport.PeerCheck;
import dev.flinksidecar.sidecar.transport.PrivateSocketBind;
import dev.flinksidecar.sidecar.transport.SocketAccess;
import dev.flinksidecar.sidecar.transport.SocketFiles;
import dev.flinksidecar.sidecar.transport.SocketPathException;
import dev.flinksidecar.sidecar.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin socket: a Unix domain socket of its own beside the data socket, speaking admin.proto,
 * with one event-loop thread; requests run on the admin thread the caller gives.
 *
 * <p>Threads: {@link #start} and {@link #shutdown} block; any thread but an event loop.
 */
public final class AdminServer {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final Path socket;
    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(Path socket, EventLoopGroup group, Channel channel) {
        this.socket = socket;
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code socket} (replacing a stale socket file, see {@link SocketFiles}) with the mode
     * of {@code access}, letting in only the peers it allows (see {@link PeerCheck}).
     *
     * @throws SocketPathException when the path cannot be used or another process accepts on it
     * @throws IOException when binding fails
     */
    public static AdminServer start(
            Path socket,
            Transport transport,
            AdminLimits limits,
            SocketAccess access,
            AdminService service,
            Executor adminThread)
            throws SocketPathException, IOException {
        Path path = socket.toAbsolutePath();
        SocketFiles.prepare(path);
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(
                        1,
                        new DefaultThreadFactory("sidecar-admin-io", true),
                        transport.ioHandlerFactory());
        Channel channel;
        try {
            channel =
                    PrivateSocketBind.bind(
                            new ServerBootstrap()
                                    .group(group)
                                    .channel(transport.serverChannel())
                                    .handler(new AcceptBackoff(path.toString()))
                                    .childHandler(
                                            PeerCheck.before(
                                                    new AdminChannelInitializer(
                                                            limits, service, adminThread),
                                                    path,
                                                    new KernelPeerCredentials(),
                                                    access.allowList(),
                                                    AdminServer::forbidden)),
                            transport,
                            path,
                            access.permissions());
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException(
                    "cannot listen on admin socket " + path + ": " + e.getMessage(), e);
        }
        LOG.info(
                "admin socket on {} ({}; lets in {})",
                path,
                access.permissions(),
                access.allowList());
        return new AdminServer(path, group, channel);
    }

    /** The admin socket's answer to a peer it does not let in. */
    private static AdminResponse forbidden(String reason) {
        return AdminResponse.newBuilder()
                .setOk(false)
                .setCode("FORBIDDEN")
                .setMessage(reason)
                .build();
    }

    /** The absolute path of the admin socket. */
    public Path socketPath() {
        return socket;
    }

    /** Stops accepting, closes the connections, removes the socket file. Idempotent. */
    public void shutdown() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        SocketFiles.remove(socket);
    }
}
