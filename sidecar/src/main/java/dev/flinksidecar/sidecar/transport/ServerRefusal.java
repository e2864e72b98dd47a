package dev.flinksidecar.sidecar.transport;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.Refusal;
import dev.flinksidecar.proto.ServerMessage;

/**
 * The data socket's answer to a peer it does not let in: a {@code Refusal}, as session.proto says.
 */
final class ServerRefusal {

    private ServerRefusal() {}

    static ServerMessage of(String reason) {
        return ServerMessage.newBuilder()
                .setRefusal(
                        Refusal.newBuilder()
                                .setReason(reason)
                                .addSupportedProtocolVersions(Protocol.VERSION))
                .build();
    }
}
