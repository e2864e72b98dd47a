package dev.flinksidecar.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of {@link StartupFootprint}: the least a Netty Unix-socket server JVM does, as the
 * sidecar's transport does it (native epoll, one event loop, length-prefixed frames of up to 64
 * MiB), echoing every frame back unchanged. No protobuf, no rules, no logging, no command line
 * parser. Runs from a jar of its own beside Netty's jars, so that it gets a class data sharing
 * archive made the way the sidecar's is.
 *
 * <pre>
 * FloorServer SOCKET          serve until SIGTERM
 * FloorServer SOCKET --train  serve, echo one frame to itself, exit (the archive's training run)
 * </pre>
 */
public final class FloorServer {

    private static final int MAX_FRAME_BYTES = 64 << 20;

    private FloorServer() {}

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        boolean train = args.length > 1 && args[1].equals("--train");
        Files.deleteIfExists(socket);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel server =
                new ServerBootstrap()
                        .group(group)
                        .channel(EpollServerDomainSocketChannel.class)
                        .childHandler(
                                new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel channel) {
                                        channel.pipeline()
                                                .addLast(
                                                        new LengthFieldBasedFrameDecoder(
                                                                MAX_FRAME_BYTES, 0, 4),
                                                        new Echo());
                                    }
                                })
                        .bind(new DomainSocketAddress(socket.toFile()))
                        .sync()
                        .channel();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close().syncUninterruptibly();
                                    group.shutdownGracefully().syncUninterruptibly();
                                },
                                "floor-shutdown"));
        if (train) {
            echoOnce(socket);
            System.exit(0);
        }
        server.closeFuture().sync();
    }

    private static void echoOnce(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer frame = ByteBuffer.allocate(4 + 100).putInt(100).position(104).flip();
            channel.write(frame);
            ByteBuffer echo = ByteBuffer.allocate(104);
            while (echo.hasRemaining()) {
                if (channel.read(echo) < 0) {
                    throw new IOException("the floor server closed the connection");
                }
            }
        }
    }

    /** Writes every frame back; flushes once per read burst. */
    private static final class Echo extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object frame) {
            ctx.write(frame);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
