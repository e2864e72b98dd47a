package dev.flinksidecar.sidecar.transport;

import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only handler of every accepted connection until its peer's credentials are checked against
 * the socket's {@link PeerAllowList}: the connection's real pipeline (the session, or the admin
 * handler) is added only for a peer that is let in, so a refused one never makes a session.
 *
 * <ul>
 *   <li>allowed: adds the real pipeline, removes itself and fires {@code channelActive} from the
 *       head, so the pipeline starts as if the check had never been there;
 *   <li>refused (or credentials that cannot be read): logs who and why, answers with the socket's
 *       own refusal message (the data socket a {@code Refusal}, the admin socket an {@code
 *       AdminResponse}), length-prefixed as every frame, and closes. Nothing the peer sends is
 *       decoded: its bytes are dropped until it closes (so a client busy writing its first request
 *       still gets to read the answer instead of a broken pipe), at most {@link #LINGER_SECONDS}
 *       seconds.
 * </ul>
 *
 * <p>Runs on the connection's event loop. One instance per connection.
 */
public final class PeerCheck extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(PeerCheck.class);

    /** How long a refused peer may go on sending before the sidecar closes anyway. */
    static final int LINGER_SECONDS = 5;

    private final ChannelHandler pipeline;
    private final Path socket;
    private final PeerCredentialSource credentials;
    private final PeerAllowList allowList;
    private final Function<String, MessageLite> refusalMessage;

    /**
     * @param pipeline what to add to an allowed peer's pipeline (typically a {@link
     *     ChannelInitializer})
     * @param socket the socket's path, for the log
     * @param refusalMessage the answer to a refused peer, made from the reason
     */
    public PeerCheck(
            ChannelHandler pipeline,
            Path socket,
            PeerCredentialSource credentials,
            PeerAllowList allowList,
            Function<String, MessageLite> refusalMessage) {
        this.pipeline = pipeline;
        this.socket = socket;
        this.credentials = credentials;
        this.allowList = allowList;
        this.refusalMessage = refusalMessage;
    }

    /**
     * The child handler of a server: a {@link PeerCheck} per connection, which adds {@code
     * pipeline} (shared by all connections: a {@code @Sharable} handler such as a {@link
     * ChannelInitializer}) once the peer is let in.
     */
    public static ChannelInitializer<Channel> before(
            ChannelHandler pipeline,
            Path socket,
            PeerCredentialSource credentials,
            PeerAllowList allowList,
            Function<String, MessageLite> refusalMessage) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline()
                        .addLast(
                                "peer-check",
                                new PeerCheck(
                                        pipeline, socket, credentials, allowList, refusalMessage));
            }
        };
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Optional<String> reason;
        try {
            reason = allowList.refusal(credentials.peerOf(ctx.channel()));
        } catch (IOException e) {
            reason = Optional.of("the peer's credentials cannot be read: " + e.getMessage());
        }
        if (reason.isEmpty()) {
            ctx.pipeline().addLast(pipeline).remove(this);
            ctx.pipeline().fireChannelActive();
            return;
        }
        LOG.warn("refused a connection on {}: {}", socket, reason.get());
        byte[] message = refusalMessage.apply(reason.get()).toByteArray();
        ByteBuf frame = ctx.alloc().buffer(4 + message.length);
        frame.writeInt(message.length).writeBytes(message);
        ctx.writeAndFlush(frame);
        ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }

    /** A refused peer's bytes: dropped undecoded. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    /** A refused peer's connection failing (it went away): closed, nothing else to do. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
