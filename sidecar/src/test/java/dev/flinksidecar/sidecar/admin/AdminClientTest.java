package dev.flinksidecar.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.DeployRequest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin client when the sidecar closes the connection in the middle of a request without an
 * answer: the error says the request was not taken, with its size, instead of "cannot reach".
 */
@Timeout(60)
class AdminClientTest {

    @TempDir Path dir;

    @Test
    void aRequestCutOffWithoutAnAnswerIsNotTakenNamingItsSize() throws Exception {
        Path socket = dir.resolve("admin.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Void> closesAfterTheLength =
                    CompletableFuture.runAsync(
                            () -> {
                                try (SocketChannel connection = server.accept()) {
                                    connection.read(ByteBuffer.allocate(4));
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            AdminRequest request =
                    AdminRequest.newBuilder()
                            .setDeploy(
                                    DeployRequest.newBuilder()
                                            .setFileName("big.jar")
                                            .setJar(ByteString.copyFrom(new byte[8 * 1024 * 1024])))
                            .build();

            assertThatThrownBy(() -> AdminClient.call(socket, request))
                    .isInstanceOfSatisfying(
                            AdminClient.RequestNotTaken.class,
                            e ->
                                    assertThat(e.requestBytes())
                                            .isEqualTo(request.getSerializedSize()))
                    .hasMessageStartingWith(
                            "the sidecar closed the admin connection before it took the whole request ("
                                    + request.getSerializedSize()
                                    + " bytes)");
            closesAfterTheLength.get(30, TimeUnit.SECONDS);
        }
    }
}
