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

    /** Sends {@code request} and waits for its response. */
    public AdminResponse call(AdminRequest request) throws IOException {
        Frames.write(out, request);
        out.flush();
        byte[] frame = Frames.read(in, MAX_RESPONSE_BYTES);
        if (frame == null) {
            throw new EOFException("the sidecar closed the admin connection without answering");
        }
        return AdminResponse.parseFrom(frame);
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
