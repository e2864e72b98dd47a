package dev.flinksidecar.sidecar.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How much heap a protobuf message will take once parsed, estimated from its bytes before it is
 * parsed, so that a frame cannot make the sidecar allocate far more than it received: protobuf-java
 * makes an object of each string, bytes field, sub-message and unknown field, so two bytes on the
 * wire (an empty {@code KeyState}) become some forty on the heap, and a frame within the frame
 * limit could fill the heap many times over.
 *
 * <p>The estimate walks the wire format once with the message's descriptor, allocating nothing; it
 * errs on the high side (object headers, strings of two-byte characters, lists grown by half).
 * Bytes that are not valid protobuf fail it as they would fail parsing.
 *
 * <p>Threads: any; stateless.
 */
public final class HeapEstimate {

    /** An object's header and a few fields: a message, a {@code ByteString}, an unknown field. */
    static final int OBJECT = 48;

    /** A reference in a list, the list grown by half. */
    private static final int SLOT = 12;

    private HeapEstimate() {}

    /**
     * The estimated heap size of the message of type {@code type} in the remaining bytes of {@code
     * bytes} (a heap or a direct buffer, not copied; its position is left as it was).
     *
     * @throws InvalidProtocolBufferException when the bytes are not a message of the wire format
     */
    public static long of(Descriptor type, ByteBuffer bytes) throws InvalidProtocolBufferException {
        ByteBuffer view = bytes.duplicate();
        int offset = view.position();
        CodedInputStream in = CodedInputStream.newInstance(view);
        try {
            long heap = message(type, in, bytes, offset);
            in.checkLastTagWas(0);
            return heap;
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
    }

    private static long message(Descriptor type, CodedInputStream in, ByteBuffer bytes, int offset)
            throws IOException {
        long heap = OBJECT;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return heap;
            }
            FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            int wireType = WireFormat.getTagWireType(tag);
            if (field == null) {
                int before = in.getTotalBytesRead();
                if (!in.skipField(tag)) {
                    return heap; // an end-group tag: parsing fails on it too
                }
                heap += OBJECT + SLOT + (in.getTotalBytesRead() - before);
                continue;
            }
            long slot = field.isRepeated() ? SLOT : 0;
            if (wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                in.skipField(tag);
                heap += field.isRepeated() ? SLOT : 0;
                continue;
            }
            int length = in.readRawVarint32();
            if (length < 0) {
                throw new InvalidProtocolBufferException("a length field is negative");
            }
            switch (field.getJavaType()) {
                case MESSAGE:
                    int limit = in.pushLimit(length);
                    heap += slot + message(field.getMessageType(), in, bytes, offset);
                    in.checkLastTagWas(0);
                    in.popLimit(limit);
                    break;
                case STRING: // two bytes a character at worst
                    in.skipRawBytes(length);
                    heap += slot + OBJECT + 2L * length;
                    break;
                case BYTE_STRING:
                    in.skipRawBytes(length);
                    heap += slot + OBJECT + length;
                    break;
                default:
                    heap += OBJECT + packed(field, bytes, offset + in.getTotalBytesRead(), length);
                    in.skipRawBytes(length);
            }
        }
    }

    /**
     * A packed repeated number field: its elements, each as wide as its Java type, grown by half.
     */
    private static long packed(FieldDescriptor field, ByteBuffer bytes, int start, int length) {
        long elements;
        switch (field.getLiteType().getWireType()) {
            case WireFormat.WIRETYPE_FIXED32:
                elements = length / 4;
                break;
            case WireFormat.WIRETYPE_FIXED64:
                elements = length / 8;
                break;
            default:
                elements = 0;
                int end = Math.min(bytes.limit(), start + length);
                for (int i = Math.max(0, start); i < end; i++) {
                    if (bytes.get(i) >= 0) {
                        elements++; // the last byte of a varint
                    }
                }
        }
        return elements * 12;
    }
}
