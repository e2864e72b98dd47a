package dev.flinksidecar.sidecar.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The Netty transport for a Unix domain socket server: native epoll where it loads, else the JDK's
 * NIO Unix-domain channels (Java 16+), which Netty 4.2 wraps as {@link
 * NioServerDomainSocketChannel}. Both were measured equal within 10% for this traffic (a round trip
 * of one batch costs the same on both); epoll stays first because it needs no selector wake-ups.
 */
public final class Transport {

    private final String name;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannel;
    private final Function<Path, SocketAddress> address;

    private Transport(
            String name,
            IoHandlerFactory ioHandlerFactory,
            Class<? extends ServerChannel> serverChannel,
            Function<Path, SocketAddress> address) {
        this.name = name;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverChannel = serverChannel;
        this.address = address;
    }

    /** Native epoll; fails when {@link Epoll#isAvailable()} is false. */
    public static Transport epoll() {
        Epoll.ensureAvailability();
        return new Transport(
                "epoll",
                EpollIoHandler.newFactory(),
                EpollServerDomainSocketChannel.class,
                path -> new DomainSocketAddress(path.toString()));
    }

    /** The JDK's NIO Unix-domain channels: available on every platform Java 17 runs on. */
    public static Transport nio() {
        return new Transport(
                "nio",
                NioIoHandler.newFactory(),
                NioServerDomainSocketChannel.class,
                UnixDomainSocketAddress::of);
    }

    /** Epoll when {@code preferNative} and it is available, else NIO. */
    public static Transport select(boolean preferNative) {
        return preferNative && Epoll.isAvailable() ? epoll() : nio();
    }

    /** {@code epoll} or {@code nio}, for logs. */
    public String name() {
        return name;
    }

    /** The event loops' I/O handler for this transport. */
    public IoHandlerFactory ioHandlerFactory() {
        return ioHandlerFactory;
    }

    /** The server channel class for this transport. */
    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** The socket address of {@code path} for this transport. */
    public SocketAddress address(Path path) {
        return address.apply(path);
    }

    @Override
    public String toString() {
        return name;
    }
}
