package dev.flinksidecar.sidecar.transport;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.ClientMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import java.util.function.Supplier;

/**
 * The pipeline of one session's connection, in the order bytes flow:
 *
 * <pre>
 *  in:  frame decoder (4-byte length, max frame, fail fast: a LengthFieldBasedFrameDecoder) -> protobuf decoder (ClientMessage) -> session
 *  out: session -> protobuf encoder (ServerMessage) -> frame prepender (4-byte length)
 * </pre>
 *
 * <p>A frame over the limit fails as soon as its length is read (fail fast), before its bytes are
 * buffered; the session answers it with an {@code Error} and closes. Runs on the event loop that
 * accepted the connection.
 */
public final class SidecarChannelInitializer extends ChannelInitializer<Channel> {

    private final int maxFrameBytes;
    private final Supplier<? extends ChannelHandler> sessions;

    /**
     * @param maxFrameBytes the largest message (without the length field) a client may send
     * @param sessions makes the handler of each new connection's session
     */
    public SidecarChannelInitializer(
            int maxFrameBytes, Supplier<? extends ChannelHandler> sessions) {
        this.maxFrameBytes = maxFrameBytes;
        this.sessions = sessions;
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
                .addLast(
                        "protobuf-decoder", new ProtobufDecoder(ClientMessage.getDefaultInstance()))
                .addLast("frame-prepender", new LengthFieldPrepender(Protocol.LENGTH_FIELD_BYTES))
                .addLast("protobuf-encoder", new ProtobufEncoder())
                .addLast("session", sessions.get());
    }
}
