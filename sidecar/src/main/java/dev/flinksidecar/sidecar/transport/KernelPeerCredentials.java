package dev.flinksidecar.sidecar.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The peer's credentials as the kernel recorded them when it connected (SO_PEERCRED), for both
 * transports:
 *
 * <ul>
 *   <li>epoll: Netty's {@link EpollDomainSocketChannel#peerCredentials()}: uid, gid and pid as
 *       numbers;
 *   <li>NIO: the JDK's {@link ExtendedSocketOptions#SO_PEERCRED} on the Unix-domain {@code
 *       SocketChannel} (Java 16+, Linux and macOS), read through Netty's {@link NioChannelOption}.
 *       The JDK reports the user and group by name (the number when the system has no name for it),
 *       so the names are turned back into ids with {@link AccountIds}; it does not report the pid.
 * </ul>
 *
 * <p>Stateless; called on the connection's event loop.
 */
public final class KernelPeerCredentials implements PeerCredentialSource {

    private static final ChannelOption<UnixDomainPrincipal> SO_PEERCRED =
            NioChannelOption.of(ExtendedSocketOptions.SO_PEERCRED);

    private final AccountIds accounts;

    /** Names of the JDK's principals resolved with the system's account files. */
    public KernelPeerCredentials() {
        this(AccountIds.system());
    }

    KernelPeerCredentials(AccountIds accounts) {
        this.accounts = accounts;
    }

    @Override
    public PeerIdentity peerOf(Channel channel) throws IOException {
        if (channel instanceof EpollDomainSocketChannel) {
            PeerCredentials credentials = ((EpollDomainSocketChannel) channel).peerCredentials();
            int[] gids = credentials.gids();
            if (gids.length == 0) {
                throw new IOException("SO_PEERCRED reported no group of the peer");
            }
            return new PeerIdentity(credentials.uid(), gids[0], credentials.pid());
        }
        if (channel instanceof NioDomainSocketChannel) {
            UnixDomainPrincipal principal;
            try {
                principal = channel.config().getOption(SO_PEERCRED);
            } catch (UnsupportedOperationException e) {
                throw new IOException("SO_PEERCRED is not supported here: " + e.getMessage(), e);
            }
            if (principal == null) {
                throw new IOException("SO_PEERCRED gave no credentials");
            }
            return new PeerIdentity(
                    accounts.uidOf(principal.user().getName()),
                    accounts.gidOf(principal.group().getName()),
                    -1);
        }
        throw new IOException(
                "no peer credentials for a " + channel.getClass().getSimpleName() + " connection");
    }
}
