package dev.flinksidecar.sidecar.session;

import com.google.protobuf.CodedOutputStream;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.StateDelta;
import java.util.function.Consumer;

/**
 * Packs the key states of one checkpoint into {@link StateDelta} messages, each of which fits a
 * frame of the client's size ({@code Hello.max_frame_bytes}) with a margin to spare, and hands each
 * to {@code out} as soon as it is full, so a large checkpoint is not held twice.
 *
 * <p>One thread: the session's rule executor.
 */
final class StateDeltas {

    /** Bytes of a frame left unused: the ServerMessage around the delta takes at most 6. */
    static final int MARGIN = 256;

    private final long checkpointId;
    private final int limit;
    private final Consumer<ServerMessage> out;
    private StateDelta.Builder delta;
    private int size;
    private long bytes;

    /**
     * @param clientMaxFrameBytes the client's frame limit, 0 when it named none (then the
     *     protocol's default)
     */
    StateDeltas(long checkpointId, int clientMaxFrameBytes, Consumer<ServerMessage> out) {
        this.checkpointId = checkpointId;
        this.limit =
                clientMaxFrameBytes > 0 ? clientMaxFrameBytes : Protocol.DEFAULT_MAX_FRAME_BYTES;
        this.out = out;
    }

    /**
     * Adds one key's state, sending the delta it fills first.
     *
     * @throws TooLarge when this one key's state does not fit a frame
     */
    void add(KeyState key) {
        int entry = CodedOutputStream.computeMessageSize(StateDelta.KEYS_FIELD_NUMBER, key);
        int header =
                CodedOutputStream.computeUInt64Size(
                        StateDelta.CHECKPOINT_ID_FIELD_NUMBER, checkpointId);
        if (header + entry > limit - MARGIN) {
            throw new TooLarge(
                    "the state of key '"
                            + key.getKey()
                            + "' at checkpoint "
                            + Long.toUnsignedString(checkpointId)
                            + " takes "
                            + entry
                            + " bytes, more than a frame of the client's max_frame_bytes "
                            + limit
                            + " holds (less a margin of "
                            + MARGIN
                            + " bytes)");
        }
        if (delta != null && size + entry > limit - MARGIN) {
            send();
        }
        if (delta == null) {
            delta = StateDelta.newBuilder().setCheckpointId(checkpointId);
            size = header;
        }
        delta.addKeys(key);
        size += entry;
        bytes += entry;
    }

    /** Bytes of key states added so far. */
    long bytes() {
        return bytes;
    }

    /** Sends the last, partly filled delta. */
    void finish() {
        if (delta != null) {
            send();
        }
    }

    private void send() {
        out.accept(ServerMessage.newBuilder().setStateDelta(delta).build());
        delta = null;
        size = 0;
    }

    /** One key's state that no frame of the client's size can carry. */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }
}
