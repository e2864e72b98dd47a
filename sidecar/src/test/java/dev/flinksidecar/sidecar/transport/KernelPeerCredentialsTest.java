package dev.flinksidecar.sidecar.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.security.auth.module.UnixSystem;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SO_PEERCRED over a real Unix socket, on both transports: this process's own ids. */
class KernelPeerCredentialsTest {

    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void readsThePeersUidAndGid(boolean epoll) throws Exception {
        Assumptions.assumeTrue(!epoll || Epoll.isAvailable(), "epoll is not available here");
        Transport transport = epoll ? Transport.epoll() : Transport.nio();
        CompletableFuture<PeerIdentity> seen = new CompletableFuture<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        Path socket = dir.resolve("peer.sock");
        try {
            Channel server =
                    new ServerBootstrap()
                            .group(group)
                            .channel(transport.serverChannel())
                            .childHandler(
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelActive(ChannelHandlerContext ctx) {
                                            try {
                                                seen.complete(
                                                        new KernelPeerCredentials()
                                                                .peerOf(ctx.channel()));
                                            } catch (Exception e) {
                                                seen.completeExceptionally(e);
                                            }
                                        }
                                    })
                            .bind(transport.address(socket))
                            .sync()
                            .channel();
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(socket));
                PeerIdentity peer = seen.get(30, TimeUnit.SECONDS);

                UnixSystem self = new UnixSystem();
                assertThat(peer.uid()).isEqualTo((int) self.getUid());
                assertThat(peer.gid()).isEqualTo((int) self.getGid());
                assertThat(peer.pid())
                        .as("the pid: epoll reports it, the JDK does not")
                        .isEqualTo(epoll ? ProcessHandle.current().pid() : -1);
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
