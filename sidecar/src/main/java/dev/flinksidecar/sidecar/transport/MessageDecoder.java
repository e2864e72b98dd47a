package dev.flinksidecar.sidecar.transport;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Parses each frame into one protobuf message, after charging the heap it will take ({@link
 * HeapEstimate}) to the connection's {@link InputAccount}: a message whose estimate is over the
 * socket's whole {@link InputBudget} is not parsed but fails with a {@link TooLongFrameException}
 * that says so. Netty's own {@code ProtobufDecoder} parses whatever fits a frame.
 *
 * <p>The frame is read in place (a direct buffer is not copied to the heap first) and released
 * exactly once, by {@link MessageToMessageDecoder} after {@link #decode}.
 *
 * <p>Runs on the connection's event loop.
 *
 * @param <T> the message type
 */
public final class MessageDecoder<T extends Message> extends MessageToMessageDecoder<ByteBuf> {

    private final Descriptor type;
    private final Parser<? extends T> parser;
    private InputAccount account;

    /**
     * @param prototype the default instance of the message type, e.g. {@code
     *     ClientMessage.getDefaultInstance()}
     */
    @SuppressWarnings("unchecked")
    public MessageDecoder(T prototype) {
        super(ByteBuf.class);
        this.type = prototype.getDescriptorForType();
        this.parser = (Parser<? extends T>) prototype.getParserForType();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        account = InputAccount.of(ctx.channel());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
            throws Exception {
        int length = frame.readableBytes();
        ByteBuffer bytes =
                frame.nioBufferCount() == 1
                        ? frame.nioBuffer()
                        : ByteBuffer.wrap(ByteBufUtil.getBytes(frame));
        long heap = HeapEstimate.of(type, bytes);
        long limit = account.budget().limit();
        if (heap + length > limit) {
            throw new TooLongFrameException(
                    "a "
                            + type.getName()
                            + " frame of "
                            + length
                            + " bytes would take about "
                            + heap
                            + " bytes of heap once decoded, more than the "
                            + limit
                            + " bytes of "
                            + account.budget().setting()
                            + "; send it in smaller messages");
        }
        account.chargeDecoded(heap);
        T message = parser.parseFrom(bytes);
        account.handedOn();
        out.add(message);
    }
}
