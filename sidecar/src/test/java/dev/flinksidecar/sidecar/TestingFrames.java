package dev.flinksidecar.sidecar;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.CheckpointBarrier;
import dev.flinksidecar.proto.CheckpointCompleted;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Goodbye;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Frames as the protocol writes them (4-byte big-endian length, then the message), for tests. */
public final class TestingFrames {

    private TestingFrames() {}

    public static ClientMessage hello(int protocolVersion) {
        return ClientMessage.newBuilder()
                .setHello(
                        Hello.newBuilder()
                                .setProtocolVersion(protocolVersion)
                                .setJobName("test-job")
                                .setOperatorName("sidecar")
                                .setSubtaskIndex(0)
                                .setParallelism(1)
                                .setMaxParallelism(128)
                                .setMaxFrameBytes(Protocol.DEFAULT_MAX_FRAME_BYTES))
                .build();
    }

    public static ClientMessage hello() {
        return hello(Protocol.VERSION);
    }

    /**
     * A Hello of a client that sends checkpoint barriers (or not), restored from {@code
     * restoredCheckpoint} (0: fresh).
     */
    public static ClientMessage hello(boolean checkpointBarriers, long restoredCheckpoint) {
        ClientMessage hello = hello();
        return hello.toBuilder()
                .setHello(
                        hello.getHello().toBuilder()
                                .setCheckpointBarriers(checkpointBarriers)
                                .setRestoredCheckpointId(restoredCheckpoint))
                .build();
    }

    public static ClientMessage barrier(long checkpointId) {
        return ClientMessage.newBuilder()
                .setCheckpointBarrier(CheckpointBarrier.newBuilder().setCheckpointId(checkpointId))
                .build();
    }

    public static ClientMessage completed(long checkpointId) {
        return ClientMessage.newBuilder()
                .setCheckpointCompleted(
                        CheckpointCompleted.newBuilder().setCheckpointId(checkpointId))
                .build();
    }

    public static ClientMessage events(EventBatch batch) {
        return ClientMessage.newBuilder().setEvents(batch).build();
    }

    public static ClientMessage goodbye() {
        return ClientMessage.newBuilder()
                .setGoodbye(Goodbye.newBuilder().setReason("end of input"))
                .build();
    }

    /** One frame: length prefix and the message's bytes. */
    public static byte[] frame(ClientMessage message) {
        return frame(message.toByteArray());
    }

    /** One frame around arbitrary bytes. */
    public static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** The frames of several messages, back to back. */
    public static byte[] frames(ClientMessage... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ClientMessage message : messages) {
            out.writeBytes(frame(message));
        }
        return out.toByteArray();
    }

    /** Splits a byte stream of whole frames into server messages. */
    public static List<ServerMessage> parse(byte[] stream) throws InvalidProtocolBufferException {
        List<ServerMessage> messages = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.remaining() > 0) {
            int length = in.getInt();
            byte[] body = new byte[length];
            in.get(body);
            messages.add(ServerMessage.parseFrom(body));
        }
        return messages;
    }
}
