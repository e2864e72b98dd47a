package dev.flinksidecar.sidecar.transport;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.rule.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes of one
 * message; the length is stripped. Each frame is bounded three ways before its bytes are buffered:
 *
 * <ul>
 *   <li>its size: a frame over the limit fails as soon as its length is read, with a message that
 *       states the frame's size, the limit in message bytes and the option that sets it; the rest
 *       of the stream is then dropped unread, as the connection closes;
 *   <li>memory: its length is reserved in the socket's {@link InputBudget} through the connection's
 *       {@link InputAccount}; when it does not fit, reading stops until it does;
 *   <li>time: a frame begun must be complete within the frame timeout; one that is not fails with a
 *       {@link FrameTimeoutException} (a sender gone quiet or sending a byte at a time). Time in
 *       which the sidecar itself does not read (backpressure, waiting for the budget) does not
 *       count: the timeout starts again when reading goes on.
 * </ul>
 *
 * <p>The limit may be raised while the connection runs ({@link #maxFrameBytes(int, String)}): a
 * session allows only a small frame until its Hello.
 *
 * <p>Used by the session socket and the admin socket. Runs on the connection's event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final Duration timeout;
    private int maxFrameBytes;
    private String setting;
    private InputAccount account;
    private ChannelHandlerContext ctx;

    /** The length of the frame being received, reserved; -1 between frames. */
    private long frameBytes = -1;

    /** The frame's length was read but it did not fit the budget yet. */
    private boolean waiting;

    /** Frames handed on so far: tells a timer whether its frame is still the one in progress. */
    private long frames;

    private ScheduledFuture<?> timer;

    /** After a fatal frame error: the rest of the stream is dropped. */
    private boolean broken;

    /**
     * @param maxFrameBytes the largest message, not counting the length field
     * @param setting the option that sets the limit, named in the error
     * @param timeout how long a frame may take from its first byte to its last; zero: no limit
     */
    public FrameDecoder(int maxFrameBytes, String setting, Duration timeout) {
        this.maxFrameBytes = maxFrameBytes;
        this.setting = setting;
        this.timeout = timeout;
    }

    /**
     * Sets the largest frame from the next frame on, and the option named when one is over it;
     * event loop.
     */
    public void maxFrameBytes(int maxFrameBytes, String setting) {
        this.maxFrameBytes = maxFrameBytes;
        this.setting = setting;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.account = InputAccount.of(ctx.channel());
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (frameBytes < 0) {
            if (in.readableBytes() < Protocol.LENGTH_FIELD_BYTES) {
                startTimer();
                return;
            }
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > maxFrameBytes) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException(
                        "a frame of "
                                + length
                                + " bytes is over the sidecar's limit of "
                                + maxFrameBytes
                                + " bytes ("
                                + setting
                                + ")");
            }
            long budget = account.budget().limit();
            if (length > budget) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException(
                        "a frame of "
                                + length
                                + " bytes is over the "
                                + budget
                                + " bytes of "
                                + account.budget().setting());
            }
            if (!account.reserveFrame(length, this::retry)) {
                waiting = true;
                return;
            }
            waiting = false;
            frameBytes = length;
        }
        if (in.readableBytes() < Protocol.LENGTH_FIELD_BYTES + frameBytes) {
            startTimer(); // only a frame that is not complete in one read needs its timer
            return;
        }
        in.skipBytes(Protocol.LENGTH_FIELD_BYTES);
        out.add(in.readRetainedSlice((int) frameBytes));
        frameBytes = -1;
        frames++;
        stopTimer();
    }

    /** The budget may have room now: decode what is buffered again (event loop). */
    private void retry() {
        if (!waiting || broken || !ctx.channel().isActive()) {
            return;
        }
        try {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    /**
     * Netty's decoder asks for another read when a frame is incomplete even while reading is off;
     * while the frame waits for the budget it must not, or the frame would be buffered unreserved.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (waiting || broken) {
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    private void startTimer() {
        if (timer != null || timeout.isZero()) {
            return;
        }
        long frame = frames;
        timer =
                ctx.executor()
                        .schedule(() -> timedOut(frame), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void stopTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void timedOut(long frame) {
        timer = null;
        if (broken || frame != frames || !ctx.channel().isActive()) {
            return;
        }
        if (account.paused()) {
            startTimer(); // the sidecar is not reading: not the sender's fault
            return;
        }
        broken = true;
        ByteBuf buffered = internalBuffer();
        ctx.fireExceptionCaught(
                new FrameTimeoutException(
                        "a frame was begun and not completed within "
                                + Durations.format(timeout)
                                + " ("
                                + (frameBytes < 0
                                        ? "its 4-byte length incomplete"
                                        : buffered.readableBytes()
                                                + " of its "
                                                + (Protocol.LENGTH_FIELD_BYTES + frameBytes)
                                                + " bytes received")
                                + "; sidecar.transport.frame-timeout)"));
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        stopTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopTimer();
        account.close();
        super.channelInactive(ctx);
    }
}
