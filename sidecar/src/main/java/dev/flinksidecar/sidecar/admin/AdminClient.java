package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A blocking client of the admin socket, as the {@code admin} command and tests use it: one
 * request, then its response, on the calling thread.
 */
public final class AdminClient implements AutoCloseable {

    /** Responses carry status text only; far below this. */
    private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private AdminClient(SocketChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects to the admin socket at {@code socket}. */
    public static AdminClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new AdminClient(channel);
    }

    /**
     * The sidecar closed the connection before it took the whole request and gave no answer: a
     * request over its {@code sidecar.admin.max-frame-bytes} ends that way when the answer is lost.
     */
    public static final class RequestNotTaken extends IOException {
        private static final long serialVersionUID = 1L;

        private final long requestBytes;

        RequestNotTaken(long requestBytes, IOException cause) {
            super(
                    "the sidecar closed the admin connection before it took the whole request ("
                            + requestBytes
                            + " bytes): "
                            + cause.getMessage(),
                    cause);
            this.requestBytes = requestBytes;
        }

        /** The size of the request that was being sent. */
        public long requestBytes() {
            return requestBytes;
        }
    }

    /**
     * Sends {@code request} and waits for its response. When the sidecar refuses a request before
     * reading all of it (a frame over its limit), it answers and closes: sending then fails, and
     * the answer, already in this socket's buffer, is what this returns.
     *
     * @throws RequestNotTaken when sending failed and no answer came
     */
    public AdminResponse call(AdminRequest request) throws IOException {
        try {
            Frames.write(out, request);
            out.flush();
        } catch (IOException e) {
            AdminResponse answer = answerAfterFailedSend();
            if (answer == null) {
                throw new RequestNotTaken(request.getSerializedSize(), e);
            }
            return answer;
        }
        byte[] frame = Frames.read(in, MAX_RESPONSE_BYTES);
        if (frame == null) {
            throw new EOFException("the sidecar closed the admin connection without answering");
        }
        return AdminResponse.parseFrom(frame);
    }

    private AdminResponse answerAfterFailedSend() {
        try {
            byte[] frame = Frames.read(in, MAX_RESPONSE_BYTES);
            return frame == null ? null : AdminResponse.parseFrom(frame);
        } catch (IOException e) {
            return null;
        }
    }

    /** Connects, calls once, closes. */
    public static AdminResponse call(Path socket, AdminRequest request) throws IOException {
        try (AdminClient client = connect(socket)) {
            return client.call(request);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
