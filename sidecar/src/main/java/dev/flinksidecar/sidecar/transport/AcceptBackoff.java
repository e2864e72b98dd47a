package dev.flinksidecar.sidecar.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket's answer to a failed accept, typically "Too many open files" (EMFILE) when
 * something exhausts the process's file descriptors: it stops accepting for a second (the pending
 * connections wait in the socket's backlog), then tries again, and logs the failure once and then
 * at most once a minute with a count, instead of Netty's warning with a stack trace every second.
 *
 * <p>Threads: the listening socket's event loop.
 */
@ChannelHandler.Sharable
public final class AcceptBackoff extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptBackoff.class);
    private static final long PAUSE_MILLIS = 1000;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String socket;
    private long failures;
    private long lastLog;

    public AcceptBackoff(String socket) {
        this.socket = socket;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        failures++;
        long now = System.nanoTime();
        if (failures == 1 || now - lastLog >= LOG_INTERVAL_NANOS) {
            lastLog = now;
            LOG.warn(
                    "cannot accept connections on {} ({} failures so far): {}; trying again every {} ms "
                            + "(lower sidecar.transport.max-connections or raise the limit of open files)",
                    socket,
                    failures,
                    cause.getMessage(),
                    PAUSE_MILLIS);
        }
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor()
                    .schedule(
                            () -> ctx.channel().config().setAutoRead(true),
                            PAUSE_MILLIS,
                            TimeUnit.MILLISECONDS);
        }
    }
}
