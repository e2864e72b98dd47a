package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.sidecar.transport.FrameTimeoutException;
import dev.flinksidecar.sidecar.transport.InputAccount;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: each request goes to the admin thread, its response back; the socket is not
 * read while a request is in hand, so one client cannot queue up work. A connection beyond {@code
 * sidecar.admin.max-connections} is answered with an error and closed; one that has no request in
 * hand and sends none within {@code sidecar.admin.idle-timeout} is closed.
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
    private final AdminLimits limits;
    private final AtomicInteger connections;
    private InputAccount input;
    private boolean counted;
    private ScheduledFuture<?> idleTimer;

    AdminHandler(
            AdminService service,
            Executor adminThread,
            AdminLimits limits,
            AtomicInteger connections) {
        this.service = service;
        this.adminThread = adminThread;
        this.limits = limits;
        this.connections = connections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        input = InputAccount.of(ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (connections.incrementAndGet() > limits.maxConnections()) {
            connections.decrementAndGet();
            reply(
                    ctx,
                    "BAD_REQUEST",
                    "the sidecar serves at most "
                            + limits.maxConnections()
                            + " admin connections at once (sidecar.admin.max-connections)");
            return;
        }
        counted = true;
        startIdleTimer(ctx);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AdminRequest request) {
        stopIdleTimer();
        input.pause(InputAccount.Pause.BACKPRESSURE);
        try {
            adminThread.execute(
                    () ->
                            ctx.writeAndFlush(service.handle(request))
                                    .addListener(
                                            (ChannelFutureListener)
                                                    f -> {
                                                        input.answered();
                                                        input.resume(
                                                                InputAccount.Pause.BACKPRESSURE);
                                                        startIdleTimer(ctx);
                                                    }));
        } catch (RejectedExecutionException e) {
            reply(ctx, "INTERNAL", "the sidecar is shutting down");
        }
    }

    private void startIdleTimer(ChannelHandlerContext ctx) {
        if (limits.idleTimeout().isZero() || !ctx.channel().isActive()) {
            return;
        }
        stopIdleTimer();
        idleTimer =
                ctx.executor()
                        .schedule(
                                () -> {
                                    LOG.info(
                                            "closing an admin connection without a request for {} (sidecar.admin.idle-timeout)",
                                            Durations.format(limits.idleTimeout()));
                                    ctx.close();
                                },
                                limits.idleTimeout().toNanos(),
                                TimeUnit.NANOSECONDS);
    }

    private void stopIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopIdleTimer();
        input.close();
        if (counted) {
            counted = false;
            connections.decrementAndGet();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            reply(ctx, FRAME_TOO_LARGE, cause.getMessage());
        } else if (cause instanceof FrameTimeoutException) {
            reply(ctx, "BAD_REQUEST", cause.getMessage());
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
    private void reply(ChannelHandlerContext ctx, String code, String message) {
        stopIdleTimer();
        input.pause(InputAccount.Pause.STOPPED);
        ctx.writeAndFlush(
                        AdminResponse.newBuilder()
                                .setOk(false)
                                .setCode(code)
                                .setMessage(message)
                                .build())
                .addListener(ChannelFutureListener.CLOSE);
    }
}
