package dev.flinksidecar.operator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Error;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.Refusal;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.Welcome;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a scripted server over a real Unix socket. */
@Timeout(60)
class SidecarClientITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir Path tmp;

    private static ServerMessage welcome() {
        return ServerMessage.newBuilder()
                .setWelcome(
                        Welcome.newBuilder()
                                .setProtocolVersion(1)
                                .setSidecarVersion("test")
                                .setSessionId("s-1")
                                .setMaxFrameBytes(1 << 20)
                                .addRules(
                                        RuleRef.newBuilder()
                                                .setId("threshold")
                                                .setVersion("1.0.0")))
                .build();
    }

    @Test
    void saysClearlyWhenNoSidecarIsListening() {
        Path socket = tmp.resolve("none.sock");
        assertThatThrownBy(() -> SidecarClient.connect(socket, Duration.ofMillis(100)))
                .isInstanceOf(SidecarUnavailableException.class)
                .hasMessageStartingWith(
                        "no sidecar is listening on "
                                + socket
                                + ": the socket file does not exist");
    }

    @Test
    void saysClearlyWhenTheSocketFileIsStale() throws Exception {
        Path socket = tmp.resolve("stale.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
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
        try (FakeSidecar sidecar =
                new FakeSidecar(
                        socket,
                        c -> {
                            hello.complete(c.read());
                            c.write(welcome());
                            ClientMessage batch = c.read();
                            c.write(
                                    ServerMessage.newBuilder()
                                            .setResults(
                                                    ResultBatch.newBuilder()
                                                            .setSequence(
                                                                    batch.getEvents()
                                                                            .getSequence()))
                                            .build());
                            assertThat(c.read().hasGoodbye()).isTrue();
                        })) {
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            try (SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
                Welcome welcome =
                        client.handshake(
                                Hello.newBuilder().setJobName("job").setSubtaskIndex(1),
                                1 << 20,
                                TIMEOUT);
                assertThat(welcome.getSessionId()).isEqualTo("s-1");
                client.start(listener(results), "reader");
                EventBatchWriter writer = new EventBatchWriter();
                writer.add(EventRecord.builder("k", 1).build());
                client.send(
                        ClientMessage.newBuilder().setEvents(writer.build(7, false, 0)).build());
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
        try (FakeSidecar sidecar =
                        new FakeSidecar(
                                socket,
                                c -> {
                                    c.read();
                                    c.write(
                                            ServerMessage.newBuilder()
                                                    .setRefusal(
                                                            Refusal.newBuilder()
                                                                    .setReason(
                                                                            "protocol version 1 is not supported (supported: 2)"))
                                                    .build());
                                });
                SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            assertThatThrownBy(() -> client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT))
                    .isInstanceOf(SidecarRefusedException.class)
                    .hasMessage(
                            "the sidecar on "
                                    + socket
                                    + " refused the session: "
                                    + "protocol version 1 is not supported (supported: 2)");
        }
    }

    @Test
    void aSidecarThatClosesMidSessionIsReported() throws Exception {
        Path socket = tmp.resolve("close.sock");
        try (FakeSidecar sidecar =
                        new FakeSidecar(
                                socket,
                                c -> {
                                    c.read();
                                    c.write(welcome());
                                });
                SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT);
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            client.start(listener(results), "reader");
            assertThatThrownBy(() -> results.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SidecarSessionException.class)
                    .hasMessageContaining(
                            "the sidecar on " + socket + " closed the session unexpectedly");
        }
    }

    @Test
    void aFatalErrorEndsTheSessionWithItsMessage() throws Exception {
        Path socket = tmp.resolve("error.sock");
        try (FakeSidecar sidecar =
                        new FakeSidecar(
                                socket,
                                c -> {
                                    c.read();
                                    c.write(welcome());
                                    c.write(
                                            ServerMessage.newBuilder()
                                                    .setError(
                                                            Error.newBuilder()
                                                                    .setFatal(true)
                                                                    .setCode("FRAME_TOO_LARGE")
                                                                    .setMessage(
                                                                            "frame of 20000000 bytes exceeds 16777216"))
                                                    .build());
                                });
                SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT);
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            client.start(listener(results), "reader");
            assertThatThrownBy(() -> results.get(10, TimeUnit.SECONDS))
                    .hasMessageContaining(
                            "FRAME_TOO_LARGE: frame of 20000000 bytes exceeds 16777216");
        }
    }

    @Test
    void aSilentSidecarFailsTheHandshakeAtItsTimeout() throws Exception {
        Path socket = tmp.resolve("silent.sock");
        try (FakeSidecar sidecar =
                        new FakeSidecar(
                                socket,
                                c -> {
                                    c.read(); // the Hello, never answered
                                    c.read(); // waits until the client gives up and closes
                                });
                SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            assertThatThrownBy(
                            () ->
                                    client.handshake(
                                            Hello.newBuilder(), 1 << 20, Duration.ofMillis(200)))
                    .isInstanceOf(SidecarSessionException.class)
                    .hasMessage(
                            "the sidecar on "
                                    + socket
                                    + " did not answer the handshake within 200 ms");
        }
    }

    @Test
    void framesOfSeveralMegabytesArriveWholeBothWays() throws Exception {
        Path socket = tmp.resolve("large.sock");
        byte[] payload = new byte[3 << 20];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        String longId = "s".repeat(2 << 20);
        CompletableFuture<ClientMessage> received = new CompletableFuture<>();
        try (FakeSidecar sidecar =
                new FakeSidecar(
                        socket,
                        c -> {
                            c.read();
                            c.write(
                                    ServerMessage.newBuilder()
                                            .setWelcome(
                                                    welcome().getWelcome().toBuilder()
                                                            .setSessionId(longId))
                                            .build());
                            ClientMessage batch = c.read();
                            received.complete(batch);
                            ResultBatch.Builder answer =
                                    ResultBatch.newBuilder()
                                            .setSequence(batch.getEvents().getSequence());
                            for (int i = 0; i < 100_000; i++) {
                                answer.addResults(
                                        Result.newBuilder().setKey("key-" + i).setTime(i));
                            }
                            c.write(ServerMessage.newBuilder().setResults(answer).build());
                            c.read(); // Goodbye
                        })) {
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            try (SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
                Welcome welcome = client.handshake(Hello.newBuilder(), 16 << 20, TIMEOUT);
                assertThat(welcome.getSessionId()).isEqualTo(longId);
                client.start(listener(results), "reader");
                EventBatchWriter writer = new EventBatchWriter();
                writer.add(EventRecord.builder("k", 1).payload(payload).build());
                client.sendFrame(
                        Frames.encode(
                                ClientMessage.newBuilder()
                                        .setEvents(writer.build(1, false, 0))
                                        .build()));
                ResultBatch answer = results.get(30, TimeUnit.SECONDS);
                assertThat(answer.getResultsCount()).isEqualTo(100_000);
                assertThat(answer.getResults(99_999).getKey()).isEqualTo("key-99999");
                client.goodbye("end of input");
                sidecar.done().get(10, TimeUnit.SECONDS);
            }
            assertThat(received.get().getSerializedSize()).isGreaterThan(payload.length);
        }
    }

    @Test
    void aWriteToASidecarThatNeitherReadsNorAnswersFailsAtTheAnswerTimeout() throws Exception {
        Path socket = tmp.resolve("frozen.sock");
        CountDownLatch released = new CountDownLatch(1);
        try (FakeSidecar sidecar =
                        new FakeSidecar(
                                socket,
                                c -> {
                                    c.read();
                                    c.write(welcome());
                                    // frozen: reads and answers nothing until the test ends
                                    released.await(1, TimeUnit.MINUTES);
                                });
                SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
            client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT);
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            client.start(listener(results), "reader", Duration.ofMillis(300));
            byte[] frame = frameOf(1 << 20);
            long start = System.nanoTime();
            // the socket's buffers fill after a frame or two; then a write blocks until the
            // watchdog closes the socket
            assertThatThrownBy(
                            () -> {
                                while (true) {
                                    client.sendFrame(frame);
                                }
                            })
                    .isInstanceOf(IOException.class);
            System.out.printf(
                    "a write to a frozen peer failed after %d ms (answer timeout 300 ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThatThrownBy(() -> results.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SidecarSessionException.class)
                    .hasMessageContaining(
                            "a write to the sidecar on "
                                    + socket
                                    + " moved no byte and the sidecar answered nothing for")
                    .hasMessageContaining("(answer-timeout 300 ms); is it frozen?");
        } finally {
            released.countDown();
        }
    }

    @Test
    void aSidecarThatReadsSlowlyIsBackpressureNotAStall() throws Exception {
        Path socket = tmp.resolve("slow.sock");
        int frames = 4;
        byte[] frame = frameOf(1 << 20);
        CompletableFuture<Long> readBytes = new CompletableFuture<>();
        CountDownLatch released = new CountDownLatch(1);
        try (FakeSidecar sidecar =
                new FakeSidecar(
                        socket,
                        c -> {
                            c.read();
                            c.write(welcome());
                            // takes in 32 KiB every 20 ms: 4 MiB take about 2.6 s, longer than the
                            // answer timeout, but every step is progress
                            byte[] buffer = new byte[32 * 1024];
                            long total = 0;
                            while (total < (long) frames * frame.length) {
                                int n = c.readBytes(buffer);
                                if (n < 0) {
                                    break;
                                }
                                total += n;
                                Thread.sleep(20); // the pace of a slow reader
                            }
                            readBytes.complete(total);
                            released.await(1, TimeUnit.MINUTES); // keeps the session open
                        })) {
            CompletableFuture<ResultBatch> results = new CompletableFuture<>();
            try (SidecarClient client = SidecarClient.connect(socket, TIMEOUT)) {
                client.handshake(Hello.newBuilder(), 1 << 20, TIMEOUT);
                client.start(listener(results), "reader", Duration.ofSeconds(1));
                for (int i = 0; i < frames; i++) {
                    client.sendFrame(frame);
                }
                assertThat(readBytes.get(30, TimeUnit.SECONDS))
                        .isEqualTo((long) frames * frame.length);
                assertThat(results).as("no failure reported").isNotDone();
            }
        } finally {
            released.countDown();
        }
    }

    /** One events frame of about {@code payloadBytes}. */
    private static byte[] frameOf(int payloadBytes) throws IOException {
        EventBatchWriter writer = new EventBatchWriter();
        writer.add(EventRecord.builder("k", 1).payload(new byte[payloadBytes]).build());
        return Frames.encode(
                ClientMessage.newBuilder().setEvents(writer.build(1, false, 0)).build());
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
