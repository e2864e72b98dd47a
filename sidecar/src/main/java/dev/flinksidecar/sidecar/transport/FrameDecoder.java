package dev.flinksidecar.sidecar.transport;

import dev.flinksidecar.events.wire.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteOrder;

/**
 * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes of one
 * message; the length is stripped. A frame over the limit fails as soon as its length is read,
 * before any of its bytes are buffered, with a message that states the frame's size and the limit
 * in message bytes (Netty's own counts the length field too).
 *
 * <p>Used by the session socket and the admin socket. Runs on the connection's event loop.
 */
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    private final int maxFrameBytes;
    private final String setting;

    /**
     * @param maxFrameBytes the largest message, not counting the length field
     */
    FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, "sidecar.transport.max-frame-bytes");
    }

    /**
     * @param maxFrameBytes the largest message, not counting the length field
     * @param setting the option that sets the limit, named in the error
     */
    public FrameDecoder(int maxFrameBytes, String setting) {
        super(
                (int)
                        Math.min(
                                Integer.MAX_VALUE,
                                (long) maxFrameBytes + Protocol.LENGTH_FIELD_BYTES),
                0,
                Protocol.LENGTH_FIELD_BYTES,
                0,
                Protocol.LENGTH_FIELD_BYTES,
                true);
        this.maxFrameBytes = maxFrameBytes;
        this.setting = setting;
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long frameBytes = super.getUnadjustedFrameLength(buf, offset, length, order);
        if (frameBytes > maxFrameBytes) {
            throw new TooLongFrameException(
                    "a frame of "
                            + frameBytes
                            + " bytes is over the sidecar's limit of "
                            + maxFrameBytes
                            + " bytes ("
                            + setting
                            + ")");
        }
        return frameBytes;
    }
}
