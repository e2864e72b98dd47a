package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: each request goes to the admin thread, its response back; the socket is not
 * read while a request is in hand, so one client cannot queue up work.
 *
 * <p>Threads: the channel methods run on the connection's event loop; requests on the admin thread,
 * whose write is queued to the event loop.
 */
final class AdminHandler extends SimpleChannelInboundHandler<AdminRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    /** The answer's code when a request is over {@code sidecar.admin.max-frame-bytes}. */
    static final String FRAME_TOO_LARGE = "FRAME_TOO_LARGE";

    private final AdminService service;
    private final Executor adminThread;

    AdminHandler(AdminService service, Executor adminThread) {
        this.service = service;
        this.adminThread = adminThread;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AdminRequest request) {
        ctx.channel().config().setAutoRead(false);
        try {
            adminThread.execute(
                    () ->
                            ctx.writeAndFlush(service.handle(request))
                                    .addListener(
                                            (ChannelFutureListener)
                                                    f -> f.channel().config().setAutoRead(true)));
        } catch (RejectedExecutionException e) {
            reply(ctx, "INTERNAL", "the sidecar is shutting down");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            reply(ctx, FRAME_TOO_LARGE, cause.getMessage());
        } else if (cause instanceof DecoderException) {
            Throwable root = cause.getCause() != null ? cause.getCause() : cause;
            reply(ctx, "BAD_REQUEST", "a frame is not a valid AdminRequest: " + root.getMessage());
        } else if (cause instanceof IOException) {
            ctx.close();
        } else {
            LOG.error("admin connection failed", cause);
            reply(ctx, "INTERNAL", cause.toString());
        }
    }

    /** Answers with an error and closes: after a broken frame the stream cannot be trusted. */
    private static void reply(ChannelHandlerContext ctx, String code, String message) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(
                        AdminResponse.newBuilder()
                                .setOk(false)
                                .setCode(code)
                                .setMessage(message)
                                .build())
                .addListener(ChannelFutureListener.CLOSE);
    }
}
