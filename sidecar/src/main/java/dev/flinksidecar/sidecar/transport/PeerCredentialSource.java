package dev.flinksidecar.sidecar.transport;

import io.netty.channel.Channel;
import java.io.IOException;

/**
 * Tells who is at the other end of an accepted connection. The sidecar uses {@link
 * KernelPeerCredentials} (SO_PEERCRED); unit tests give a fake one.
 *
 * <p>Called on the event loop of the connection, once, when it becomes active.
 */
@FunctionalInterface
public interface PeerCredentialSource {

    /**
     * The peer of {@code channel}.
     *
     * @throws IOException when its credentials cannot be read; the connection is then refused
     */
    PeerIdentity peerOf(Channel channel) throws IOException;
}
