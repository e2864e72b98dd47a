package dev.flinksidecar.sidecar.session;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.Error;
import dev.flinksidecar.proto.Refusal;
import dev.flinksidecar.proto.ServerMessage;

/** The {@link ServerMessage}s a session sends besides results, and the stable error codes. */
final class ServerMessages {

    /**
     * A frame over the receiver's limit: a client frame over ours, or results over the client's.
     */
    static final String FRAME_TOO_LARGE = "FRAME_TOO_LARGE";

    /** A frame that is not a valid ClientMessage, or a batch whose columns do not add up. */
    static final String MALFORMED_FRAME = "MALFORMED_FRAME";

    /** A message out of place: no Hello first, a second Hello, a sequence gap. */
    static final String PROTOCOL = "PROTOCOL";

    /** A fault of the sidecar itself. */
    static final String INTERNAL = "INTERNAL";

    /** The sidecar is stopping (SIGTERM) after answering what was in flight. */
    static final String SHUTDOWN = "SHUTDOWN";

    /**
     * Keyed state: non-fatal, a restored key's state (or one rule's part of it) could not be read
     * and was dropped; fatal, the state of a checkpoint could not be written (a rule's codec
     * failed).
     */
    static final String STATE = "STATE";

    private ServerMessages() {}

    static ServerMessage error(String code, String message, long sequence, boolean fatal) {
        return ServerMessage.newBuilder()
                .setError(
                        Error.newBuilder()
                                .setCode(code)
                                .setMessage(message)
                                .setSequence(sequence)
                                .setFatal(fatal))
                .build();
    }

    static ServerMessage refusal(String reason) {
        return ServerMessage.newBuilder()
                .setRefusal(
                        Refusal.newBuilder()
                                .setReason(reason)
                                .addSupportedProtocolVersions(Protocol.VERSION))
                .build();
    }
}
