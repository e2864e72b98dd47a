package dev.flinksidecar.sidecar;

import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.ServerMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A minimal protocol client over the JDK's own Unix-domain {@link SocketChannel}, as a client in
 * another language would be: no Netty, blocking reads and writes on one thread.
 */
public final class TestingClient implements AutoCloseable {

    private final SocketChannel channel;

    private TestingClient(SocketChannel channel) {
        this.channel = channel;
    }

    public static TestingClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new TestingClient(channel);
    }

    public void send(ClientMessage message) throws IOException {
        sendRaw(TestingFrames.frame(message));
    }

    public void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next message; throws {@link EOFException} when the server closed the connection. */
    public ServerMessage receive() throws IOException {
        ByteBuffer header = readFully(4);
        return ServerMessage.parseFrom(readFully(header.getInt()));
    }

    /** True when the server closed the connection (the next read sees the end of the stream). */
    public boolean closedByServer() throws IOException {
        return channel.read(ByteBuffer.allocate(1)) < 0;
    }

    private ByteBuffer readFully(int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
        return buffer.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
