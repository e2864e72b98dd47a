package dev.flinksidecar.operator.client;

import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.ServerMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A scripted one-connection server on a Unix socket, standing in for the sidecar in client tests.
 * The script runs on its own thread; its failure fails {@link #done()}.
 */
final class FakeSidecar implements AutoCloseable {

    /** What the server does with one accepted connection. */
    interface Script {
        void run(Connection connection) throws Exception;
    }

    /** One accepted connection, in frames; used by the script's thread alone. */
    static final class Connection {
        private final InputStream in;
        private final OutputStream out;

        Connection(SocketChannel socket) {
            this.in = Channels.newInputStream(socket);
            this.out = Channels.newOutputStream(socket);
        }

        ClientMessage read() throws IOException {
            byte[] frame = Frames.read(in, 1 << 24);
            return frame == null ? null : ClientMessage.parseFrom(frame);
        }

        /** Reads whatever bytes come next, at most {@code buffer.length}; -1 at the end. */
        int readBytes(byte[] buffer) throws IOException {
            return in.read(buffer);
        }

        void write(ServerMessage message) throws IOException {
            Frames.write(out, message);
            out.flush();
        }
    }

    private final ServerSocketChannel server;
    private final Path path;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    FakeSidecar(Path path, Script script) throws IOException {
        this.path = path;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread thread =
                new Thread(
                        () -> {
                            try (SocketChannel socket = server.accept()) {
                                script.run(new Connection(socket));
                                done.complete(null);
                            } catch (Throwable t) {
                                done.completeExceptionally(t);
                            }
                        },
                        "fake-sidecar");
        thread.setDaemon(true);
        thread.start();
    }

    CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
