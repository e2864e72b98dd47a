package dev.flinksidecar.operator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Error;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.Refusal;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.Welcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** The junixsocket client against a scripted server over a real Unix socket. */
@Timeout(60)
class SidecarClientITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private static ServerMessage welcome() {
        return ServerMessage.newBuilder().setWelcome(Welcome.newBuilder().setProtocolVersion(1)
                .setSidecarVersion("test").setSessionId("s-1").setMaxFrameBytes(1 << 20)
                .addRules(RuleRef.newBuilder().setId("threshold").setVersion("1.0.0"))).build();
    }

    @Test
    void saysClearlyWhenNoSidecarIsListening() {
        Path socket = tmp.resolve("none.sock");
        assertThatThrownBy(() -> SidecarClient.connect(socket, Duration.ofMillis(100)))
                .isInstanceOf(SidecarUnavailableException.class)
                .hasMessageStartingWith("no sidecar is listening on " + socket + ": the socket file does not exist");
    }

    @Test
    void saysClearlyWhenTheSocketFileIsStale() throws Exception {
        Path socket = tmp.resolve("stale.sock");
        AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(socket));
        server.setDeleteOnClose(false);
        server.close(); // leaves the file, nobody listens
        assertThat(Files.exists(socket)).isTrue();
        assertThatThrownBy(() -> SidecarClient.connect(socket, Duration.ofMillis(100)))
                .isInstanceOf(SidecarUnavailableException.class)
                .hasMessageStartingWith("no sidecar is listening on " + socket + ": ");
    }

    @Test
    void handshakesSendsBatchesAndReceivesResults() throws Exception {
        Path socket = tmp.resolve("ok.sock");
        CompletableFuture<ClientMessage> hello = new CompletableFuture<>();
        try (FakeSidecar sidecar = new FakeSidecar(socket, c -> {
            hello.complete(c.read());
            c.write(welcome());
            ClientMessage batch = c.read();
            c.write(ServerMessage.newBuilder().setResults(ResultBatch.newBuilder()
                    .setSequence(batch.getEvents().getSequence())).build());
            assertThat(c.read().hasGoodbye()).isTrue();
        })) {
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            try (SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
                Welcome welcome = client.handshake(Hello.newBuilder().setJobName("job").setSubtaskIndex(1), 1 << 20, TIMEOUT);
                assertThat(welcome.getSessionId()).isEqualTo("s-1");
                client.start(listener(results), "reader");
                EventBatchWriter writer = new EventBatchWriter();
                writer.add(EventRecord.builder("k", 1).build());
                client.send(ClientMessage.newBuilder().setEvents(writer.build(7, false, 0)).build());
                assertThat(results.get(10, TimeUnit.SECONDS).getSequence()).isEqualTo(7);
                client.goodbye("end of input");
                sidecar.done().get(10, TimeUnit.SECONDS);
            }
            assertThat(hello.get().getHello().getProtocolVersion()).isEqualTo(1);
            assertThat(hello.get().getHello().getMaxFrameBytes()).isEqualTo(1 << 20);
            assertThat(hello.get().getHello().getSubtaskIndex()).isEqualTo(1);
        }
    }

    @Test
    void aRefusalBecomesAClearException() throws Exception {
        Path socket = tmp.resolve("refuse.sock");
        try (FakeSidecar sidecar = new FakeSidecar(socket, c -> {
            c.read();
            c.write(ServerMessage.newBuilder().setRefusal(Refusal.newBuilder()
                    .setReason("protocol version 1 is not supported (supported: 2)")).build());
        }); SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            assertThatThrownBy(() -> client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT))
                    .isInstanceOf(SidecarRefusedException.class)
                    .hasMessage("the sidecar on " + socket + " refused the session: "
                            + "protocol version 1 is not supported (supported: 2)");
        }
    }

    @Test
    void aSidecarThatClosesMidSessionIsReported() throws Exception {
        Path socket = tmp.resolve("close.sock");
        try (FakeSidecar sidecar = new FakeSidecar(socket, c -> {
            c.read();
            c.write(welcome());
        }); SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT);
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            client.start(listener(results), "reader");
            assertThatThrownBy(() -> results.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SidecarSessionException.class)
                    .hasMessageContaining("the sidecar on " + socket + " closed the session unexpectedly");
        }
    }

    @Test
    void aFatalErrorEndsTheSessionWithItsMessage() throws Exception {
        Path socket = tmp.resolve("error.sock");
        try (FakeSidecar sidecar = new FakeSidecar(socket, c -> {
            c.read();
            c.write(welcome());
            c.write(ServerMessage.newBuilder().setError(Error.newBuilder().setFatal(true).setCode("FRAME_TOO_LARGE")
                    .setMessage("frame of 20000000 bytes exceeds 16777216")).build());
        }); SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT);
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            client.start(listener(results), "reader");
            assertThatThrownBy(() -> results.get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("FRAME_TOO_LARGE: frame of 20000000 bytes exceeds 16777216");
        }
    }

    private static ServerListener listener(CompletableFuture<ResultBatch> results) {
        return new ServerListener() {
            @Override
            public void onResults(ResultBatch batch) {
                results.complete(batch);
            }

            @Override
            public void onCheckpointAck(CheckpointAck ack) {
                results.completeExceptionally(new AssertionError("unexpected " + ack));
            }

            @Override
            public void onFailure(SidecarSessionException cause) {
                results.completeExceptionally(cause);
            }
        };
    }
}
