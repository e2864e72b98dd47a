package dev.flinksidecar.sidecar.transport;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.ClientMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The pipeline of one session's connection, in the order bytes flow:
 *
 * <pre>
 *  in:  frame decoder (4-byte length, max frame, fail fast, input budget, frame timeout)
 *       -> message decoder (ClientMessage, its heap estimated and charged first) -> session
 *  out: session -> protobuf encoder (ServerMessage) -> frame prepender (4-byte length)
 * </pre>
 *
 * <p>A frame over the limit fails as soon as its length is read (fail fast), before its bytes are
 * buffered; the session answers it with an {@code Error} and closes. Every connection draws on the
 * socket's one {@link InputBudget} through an {@link InputAccount} of its own. Runs on the event
 * loop that accepted the connection.
 */
public final class SidecarChannelInitializer extends ChannelInitializer<Channel> {

    private final int maxFrameBytes;
    private final Supplier<? extends ChannelHandler> sessions;
    private final InputBudget budget;
    private final Duration frameTimeout;

    /**
     * A pipeline without an input budget or frame timeout (for tests of the session alone).
     *
     * @param maxFrameBytes the largest message (without the length field) a client may send
     * @param sessions makes the handler of each new connection's session
     */
    public SidecarChannelInitializer(
            int maxFrameBytes, Supplier<? extends ChannelHandler> sessions) {
        this(maxFrameBytes, sessions, InputBudget.unlimited(), Duration.ZERO);
    }

    /**
     * @param maxFrameBytes the largest message (without the length field) a client may send
     * @param sessions makes the handler of each new connection's session
     * @param budget the input all connections of the socket may hold together
     * @param frameTimeout how long a frame may take from its first byte to its last; zero: no limit
     */
    public SidecarChannelInitializer(
            int maxFrameBytes,
            Supplier<? extends ChannelHandler> sessions,
            InputBudget budget,
            Duration frameTimeout) {
        this.maxFrameBytes = maxFrameBytes;
        this.sessions = sessions;
        this.budget = budget;
        this.frameTimeout = frameTimeout;
    }

    @Override
    protected void initChannel(Channel channel) {
        InputAccount.attach(channel, budget);
        channel.pipeline()
                .addLast(
                        "frame-decoder",
                        new FrameDecoder(
                                maxFrameBytes, "sidecar.transport.max-frame-bytes", frameTimeout))
                .addLast(
                        "protobuf-decoder",
                        new MessageDecoder<>(ClientMessage.getDefaultInstance()))
                .addLast("frame-prepender", new LengthFieldPrepender(Protocol.LENGTH_FIELD_BYTES))
                .addLast("protobuf-encoder", new ProtobufEncoder())
                .addLast("session", sessions.get());
    }
}
