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
 * The first handler of every accepted connection: checks the peer's credentials against the
 * socket's {@link PeerAllowList} before anything else sees the connection.
 *
 * <ul>
 *   <li>allowed: removes itself and passes {@code channelActive} on; the rest of the pipeline
 *       starts as if it had never been there;
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

    private final Path socket;
    private final PeerCredentialSource credentials;
    private final PeerAllowList allowList;
    private final Function<String, MessageLite> refusalMessage;
    private boolean refused;

    /**
     * @param socket the socket's path, for the log
     * @param refusalMessage the answer to a refused peer, made from the reason
     */
    public PeerCheck(
            Path socket,
            PeerCredentialSource credentials,
            PeerAllowList allowList,
            Function<String, MessageLite> refusalMessage) {
        this.socket = socket;
        this.credentials = credentials;
        this.allowList = allowList;
        this.refusalMessage = refusalMessage;
    }

    /**
     * The child handler of a server: a {@link PeerCheck} first, then what {@code pipeline} adds.
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
                                new PeerCheck(socket, credentials, allowList, refusalMessage))
                        .addLast(pipeline);
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
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            return;
        }
        refused = true;
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
        if (refused) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refused) {
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
