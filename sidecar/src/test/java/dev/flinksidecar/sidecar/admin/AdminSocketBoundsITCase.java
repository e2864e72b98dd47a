package dev.flinksidecar.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.ListRequest;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin socket's bounds against a real sidecar process: a connection cap, an idle timeout, a
 * frame timeout; after each, {@code admin list} still works and nothing leaked.
 */
@Timeout(60)
class AdminSocketBoundsITCase {

    @TempDir Path dir;

    private Path admin;
    private ServeProcess sidecar;
    private final List<SocketChannel> channels = new ArrayList<>();

    @BeforeEach
    void startSidecar() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        Path socket = dir.resolve("sidecar.sock");
        admin = Path.of(socket + ".admin");
        sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                List.of("-Xmx64m", "-Dio.netty.leakDetection.level=paranoid"),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString(),
                                "--conf",
                                "sidecar.admin.max-connections=1",
                                "--conf",
                                "sidecar.admin.idle-timeout=1500ms",
                                "--conf",
                                "sidecar.transport.frame-timeout=300ms")
                        .awaitAccepting();
    }

    @AfterEach
    void stopSidecar() throws IOException {
        for (SocketChannel channel : channels) {
            channel.close();
        }
        sidecar.close();
    }

    @Test
    void aConnectionBeyondTheCapIsAnsweredWithTheSettingAndClosed() throws Exception {
        SocketChannel first = connect();
        send(first, list());
        assertThat(receive(first).getOk()).isTrue();

        SocketChannel second = connect();
        AdminResponse refused = receive(second);
        assertThat(refused.getOk()).isFalse();
        assertThat(refused.getCode()).isEqualTo("BAD_REQUEST");
        assertThat(refused.getMessage())
                .isEqualTo(
                        "the sidecar serves at most 1 admin connections at once (sidecar.admin.max-connections)");
        assertThat(closedByServer(second)).isTrue();

        first.close();
        assertStillServes();
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        SocketChannel idle = connect();
        assertThat(closedByServer(idle)).as("closed after sidecar.admin.idle-timeout").isTrue();
        assertStillServes();
        assertThat(sidecar.logText())
                .contains(
                        "closing an admin connection without a request for 1500ms (sidecar.admin.idle-timeout)");
    }

    @Test
    void aRequestBegunAndNotFinishedIsCutOff() throws Exception {
        SocketChannel partial = connect();
        byte[] request = TestingFrames.frame(list().toByteArray());
        partial.write(ByteBuffer.wrap(request, 0, request.length - 1));

        AdminResponse response = receive(partial);
        assertThat(response.getCode()).isEqualTo("BAD_REQUEST");
        assertThat(response.getMessage())
                .startsWith("a frame was begun and not completed within 300ms");
        assertThat(closedByServer(partial)).isTrue();
        assertStillServes();
    }

    private void assertStillServes() {
        TestingAdmin command = new TestingAdmin(admin);
        assertThat(command.run("list")).as(command.err()).isZero();
        assertThat(command.out()).contains("threshold");
        assertThat(sidecar.isAlive()).isTrue();
        assertThat(sidecar.logText())
                .doesNotContain("OutOfMemoryError")
                .doesNotContain("LEAK:")
                .doesNotContain("IllegalReferenceCountException");
    }

    private SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channels.add(channel);
        channel.connect(UnixDomainSocketAddress.of(admin));
        return channel;
    }

    private static AdminRequest list() {
        return AdminRequest.newBuilder().setList(ListRequest.getDefaultInstance()).build();
    }

    private static void send(SocketChannel channel, AdminRequest request) throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(TestingFrames.frame(request.toByteArray()));
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    private static AdminResponse receive(SocketChannel channel) throws IOException {
        ByteBuffer header = readFully(channel, 4);
        return AdminResponse.parseFrom(readFully(channel, header.getInt()));
    }

    private static ByteBuffer readFully(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the sidecar closed the admin connection");
            }
        }
        return buffer.flip();
    }

    private static boolean closedByServer(SocketChannel channel) throws IOException {
        return channel.read(ByteBuffer.allocate(1)) < 0;
    }
}
