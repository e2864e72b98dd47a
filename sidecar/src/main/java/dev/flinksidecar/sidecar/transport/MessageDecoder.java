package dev.flinksidecar.sidecar.transport;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.proto.ClientMessage;
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
 * <p>Event batches, nearly every frame of a session, take a shorter way: a {@link ClientMessage}
 * frame that is one {@code events} field and nothing else becomes the batch's {@link
 * EventBatchColumns}, read straight from a heap copy of its bytes, instead of a generated message;
 * its heap is counted while the columns are read (and the reading stops at the budget), not
 * estimated in a pass of its own. Any other frame is parsed whole.
 *
 * <p>Runs on the connection's event loop.
 *
 * @param <T> the message type
 */
public final class MessageDecoder<T extends Message> extends MessageToMessageDecoder<ByteBuf> {

    /** The tag of ClientMessage's {@code events} field (2, length-delimited). */
    private static final int EVENTS_TAG = 2 << 3 | 2;

    private final Descriptor type;
    private final Parser<? extends T> parser;
    private final boolean eventBatches;
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
        this.eventBatches = prototype instanceof ClientMessage;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        account = InputAccount.of(ctx.channel());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
            throws Exception {
        int length = frame.readableBytes();
        int batchOffset = eventBatches ? batchOnly(frame) : -1;
        if (batchOffset >= 0) {
            out.add(eventBatch(frame, batchOffset, length));
            return;
        }
        ByteBuffer bytes =
                frame.nioBufferCount() == 1
                        ? frame.nioBuffer()
                        : ByteBuffer.wrap(ByteBufUtil.getBytes(frame));
        long heap = HeapEstimate.of(type, bytes);
        charge(heap, length);
        T message = parser.parseFrom(bytes);
        account.handedOn();
        out.add(message);
    }

    /** Charges the decoded message's heap; a frame over the whole budget is refused instead. */
    private void charge(long heap, int length) throws TooLongFrameException {
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
    }

    /**
     * Where the EventBatch starts in a frame that is one ClientMessage {@code events} field and
     * nothing else; -1 for any other frame.
     */
    private static int batchOnly(ByteBuf frame) {
        int start = frame.readerIndex();
        int length = frame.readableBytes();
        if (length < 2 || frame.getByte(start) != EVENTS_TAG) {
            return -1;
        }
        long size = 0;
        for (int i = 1; i <= 5 && i < length; i++) {
            byte b = frame.getByte(start + i);
            size |= (long) (b & 0x7F) << (7 * (i - 1));
            if (b >= 0) {
                return 1 + i + size == length ? 1 + i : -1;
            }
        }
        return -1;
    }

    /**
     * Copies the batch's bytes to the heap and reads its columns there, bounded by what is left of
     * the budget once the frame itself is counted; the columns' own heap is then charged as
     * measured while reading, not estimated in a pass of its own.
     */
    private EventBatchColumns eventBatch(ByteBuf frame, int offset, int length) throws Exception {
        int size = length - offset;
        byte[] bytes = new byte[size];
        frame.getBytes(frame.readerIndex() + offset, bytes);
        long limit = account.budget().limit();
        long columnsLimit = limit - length - HeapEstimate.OBJECT - size;
        EventBatchColumns batch;
        try {
            batch = EventBatchColumns.read(bytes, 0, size, columnsLimit);
        } catch (EventBatchColumns.HeapLimitException e) {
            throw new TooLongFrameException(
                    "a ClientMessage frame of "
                            + length
                            + " bytes would take more heap once decoded than the "
                            + limit
                            + " bytes of "
                            + account.budget().setting()
                            + " (its EventBatch's columns alone over "
                            + Math.max(0, columnsLimit)
                            + " bytes); send it in smaller messages");
        }
        charge(HeapEstimate.OBJECT + size + batch.heapBytes(), length);
        account.handedOn();
        return batch;
    }
}
