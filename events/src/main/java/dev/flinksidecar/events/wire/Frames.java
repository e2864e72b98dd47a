package dev.flinksidecar.events.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Length-prefixed frames over blocking streams, for clients that do not use Netty.
 *
 * <p>Reads go in chunks of at most 64 KiB: some socket streams are much slower when asked for
 * megabytes at once (about five times slower, measured with one Unix socket library), and the JDK's
 * channels copy a read into a heap array through a temporary direct buffer as large as the request.
 */
public final class Frames {

    private static final int READ_CHUNK = 64 * 1024;

    private Frames() {}

    /** Writes one frame: the message's length, then the message. Does not flush. */
    public static void write(OutputStream out, MessageLite message) throws IOException {
        out.write(encode(message));
    }

    /**
     * One whole frame (the length field, then the message), for a writer that keeps frames to send
     * again.
     */
    public static byte[] encode(MessageLite message) throws IOException {
        int size = message.getSerializedSize();
        byte[] frame = new byte[Protocol.LENGTH_FIELD_BYTES + size];
        frame[0] = (byte) (size >>> 24);
        frame[1] = (byte) (size >>> 16);
        frame[2] = (byte) (size >>> 8);
        frame[3] = (byte) size;
        CodedOutputStream coded =
                CodedOutputStream.newInstance(frame, Protocol.LENGTH_FIELD_BYTES, size);
        message.writeTo(coded);
        coded.checkNoSpaceLeft();
        return frame;
    }

    /**
     * Reads one frame's bytes.
     *
     * @return the message bytes, or null when the stream ended cleanly before a new frame
     * @throws FrameTooLargeException when the announced length exceeds {@code maxFrameBytes}
     * @throws EOFException when the stream ends inside a frame
     */
    public static byte[] read(InputStream in, int maxFrameBytes) throws IOException {
        byte[] header = new byte[Protocol.LENGTH_FIELD_BYTES];
        int got = readFully(in, header, 0, header.length);
        if (got == 0) {
            return null;
        } else if (got < header.length) {
            throw new EOFException("stream ended inside a frame header");
        }
        long size =
                ((header[0] & 0xFFL) << 24)
                        | ((header[1] & 0xFF) << 16)
                        | ((header[2] & 0xFF) << 8)
                        | (header[3] & 0xFF);
        if (size > maxFrameBytes) {
            throw new FrameTooLargeException(size, maxFrameBytes);
        }
        byte[] body = new byte[(int) size];
        if (readFully(in, body, 0, body.length) < body.length) {
            throw new EOFException("stream ended inside a frame of " + size + " bytes");
        }
        return body;
    }

    private static int readFully(InputStream in, byte[] buffer, int offset, int length)
            throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(buffer, offset + done, Math.min(READ_CHUNK, length - done));
            if (n < 0) {
                return done;
            }
            done += n;
        }
        return done;
    }
}
