package dev.flinksidecar.sidecar.session;

import dev.flinksidecar.sidecar.metrics.SessionMeters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes a session's socket reads and writes, as they pass the head of its pipeline
 * (whole frames, length fields included). Added by the session only when metrics are on.
 *
 * <p>Threads: the channel's event loop (writes from the rule executor reach it there too).
 */
final class ByteCounter extends ChannelDuplexHandler {

    private final SessionMeters meters;

    ByteCounter(SessionMeters meters) {
        this.meters = meters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            meters.received(((ByteBuf) msg).readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf) {
            meters.sent(((ByteBuf) msg).readableBytes());
        }
        ctx.write(msg, promise);
    }
}
