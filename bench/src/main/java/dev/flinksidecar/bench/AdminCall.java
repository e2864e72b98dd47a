package dev.flinksidecar.bench;

import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One request to the sidecar's admin socket and its answer, on a connection of its own, as the
 * sidecar's {@code AdminClient} (and so {@code sidecar admin}) makes it; on the calling thread.
 *
 * <p>The benchmarks' own rather than the sidecar's: on this class path proto and events come from
 * the operator's jar, linked against its relocated protobuf, while the sidecar's classes link
 * against protobuf itself. For the same reason no code here names a protobuf class.
 */
final class AdminCall {

    /** Responses carry status text only; far below this. */
    private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

    private AdminCall() {}

    /** Connects to {@code socket}, sends {@code request}, waits for its response and closes. */
    static AdminResponse call(Path socket, AdminRequest request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(channel);
            Frames.write(out, request);
            out.flush();
            byte[] frame = Frames.read(Channels.newInputStream(channel), MAX_RESPONSE_BYTES);
            if (frame == null) {
                throw new EOFException("the sidecar closed the admin connection without answering");
            }
            return AdminResponse.parseFrom(frame);
        }
    }

    /**
     * {@code bytes} as a protobuf {@code ByteString} of the same protobuf as {@code empty} (any
     * ByteString a generated message hands out, such as the default value of a bytes field),
     * whichever protobuf that is: {@code ByteString.copyFrom(bytes)}, without naming the class.
     */
    @SuppressWarnings("unchecked")
    static <B> B byteString(B empty, byte[] bytes) {
        try {
            return (B)
                    empty.getClass()
                            .getMethod("copyFrom", byte[].class)
                            .invoke(null, (Object) bytes);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("ByteString.copyFrom failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "no ByteString.copyFrom(byte[]) beside " + empty.getClass(), e);
        }
    }
}
