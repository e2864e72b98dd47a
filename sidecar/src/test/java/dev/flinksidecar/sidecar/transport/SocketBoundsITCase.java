package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.completed;
import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.frame;
import static dev.flinksidecar.sidecar.TestingFrames.goodbye;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Error;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken or hostile local peer on the data socket, against a real sidecar process with a small
 * heap ({@value #HEAP}) and Netty's paranoid leak detection: after each abuse the sidecar still
 * serves a fresh session (Hello, Welcome, a batch answered), ran out of nothing and leaked no
 * buffer.
 */
@Timeout(60)
class SocketBoundsITCase {

    private static final String HEAP = "-Xmx64m";

    /** Frames of up to 16 MiB (the default); all input together at most 20 MiB. */
    private static final String INPUT_BYTES = "sidecar.transport.max-input-bytes=" + (20 << 20);

    /**
     * For keys {@code slow:PATH}: waits (up to 30 s) until the file PATH exists, so that a test
     * holds a batch in the rules while it does something else.
     */
    private static final String SLOW =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "import java.nio.file.*;\n"
                    + "public final class Slow implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) throws Exception {\n"
                    + "    if (event.key().startsWith(\"slow:\")) {\n"
                    + "      Path open = Paths.get(event.key().substring(5));\n"
                    + "      long until = System.nanoTime() + 30_000_000_000L;\n"
                    + "      while (!Files.exists(open) && System.nanoTime() < until) {\n"
                    + "        Thread.sleep(5);\n"
                    + "      }\n"
                    + "    }\n"
                    + "    out.emit(Result.of(event).set(\"passed\", true));\n"
                    + "  }\n"
                    + "}\n";

    @TempDir Path dir;

    private Path rules;
    private Path socket;
    private ServeProcess sidecar;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.jar(rules, "slow", "1.0.0", SLOW, "testrules.Slow");
        socket = dir.resolve("sidecar.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeAfter) {
            try {
                closeable.close();
            } catch (IOException e) {
                // the sidecar closed it first
            }
        }
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @Test
    void aFloodOfCheckpointCompletedDuringASlowBatchIsHeldBack() throws Exception {
        start();
        Path open = dir.resolve("open");
        TestingClient client = connect();
        client.send(hello());
        client.send(events(TestingBatches.batch(1, "slow:" + open)));
        assertThat(client.receive().hasWelcome()).isTrue();

        // A hundred thousand CheckpointCompleted, each some 10 bytes: all read at once, they were
        // held
        // as tasks behind the slow batch; now the sidecar stops reading at its bound.
        int flood = 100_000;
        AtomicLong sent = new AtomicLong();
        Thread writer =
                new Thread(
                        () -> {
                            try {
                                byte[] chunk = completedFrames(1000);
                                for (int i = 0; i < flood / 1000; i++) {
                                    client.sendRaw(chunk);
                                    sent.addAndGet(1000);
                                }
                            } catch (IOException e) {
                                // checked below: the session must survive
                            }
                        },
                        "completed-flood");
        writer.start();
        awaitStalledOrDone(writer, sent);
        assertThat(sent.get())
                .as("CheckpointCompleted taken while the batch runs")
                .isLessThan(flood);

        Files.createFile(open);
        writer.join(Duration.ofSeconds(40).toMillis());
        assertThat(sent.get())
                .as("the whole flood taken once the batch is answered")
                .isEqualTo(flood);
        ServerMessage answer = client.receive();
        assertThat(answer.getResults().getSequence()).isEqualTo(1);
        client.send(events(TestingBatches.batch(2, "after=1")));
        assertThat(client.receive().getResults().getSequence()).isEqualTo(2);
        assertStillServes();
    }

    @Test
    void aLargeStateRestoreBeforeHelloIsRefusedBeforeItIsRead() throws Exception {
        start();
        TestingClient client = connect();
        sendInBackground(client, emptyKeyStatesFrame(16 * 1024 * 1024 - 64));

        Error error = client.receive().getError();
        assertThat(error.getCode()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(error.getMessage())
                .contains("over the sidecar's limit of 65536 bytes")
                .contains("before a session's Hello");
        assertStillServes();
    }

    @Test
    void aStateRestoreOfManyEmptyKeysIsRefusedBeforeItIsDecoded() throws Exception {
        start();
        TestingClient client = connect();
        client.send(keyedHello());
        assertThat(client.receive().hasWelcome()).isTrue();
        byte[] restore = emptyKeyStatesFrame(16 * 1024 * 1024 - 64);
        sendInBackground(client, restore);

        Error error = client.receive().getError();
        assertThat(error.getCode()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(error.getMessage())
                .contains(
                        "ClientMessage frame of "
                                + (restore.length - 4)
                                + " bytes would take about")
                .contains("sidecar.transport.max-input-bytes");
        assertStillServes();
    }

    @Test
    void anEventBatchThatWouldDecodeToMoreThanTheBudgetIsRefusedWhileItIsRead() throws Exception {
        start();
        TestingClient client = connect();
        client.send(hello());
        assertThat(client.receive().hasWelcome()).isTrue();
        // 8 MB of packed one-byte time deltas: 64 MB as longs, the sidecar's whole heap
        byte[] batch = packedTimeDeltasFrame(8 * 1024 * 1024);
        sendInBackground(client, batch);

        Error error = client.receive().getError();
        assertThat(error.getCode()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(error.getMessage())
                .contains(
                        "ClientMessage frame of "
                                + (batch.length - 4)
                                + " bytes would take more heap")
                .contains("sidecar.transport.max-input-bytes");
        assertStillServes();
    }

    @Test
    void seventeenConnectionsHoldingLargePartialFramesDoNotStopAFreshSession() throws Exception {
        start();
        int frameBytes = 15 * 1024 * 1024;
        int connections = 17;
        AtomicInteger complete = new AtomicInteger();
        AtomicInteger begun = new AtomicInteger();
        for (int i = 0; i < connections; i++) {
            TestingClient client = connect();
            client.send(hello());
            assertThat(client.receive().hasWelcome()).isTrue();
            Thread holder =
                    new Thread(
                            () -> {
                                try {
                                    // the length of a 15 MB frame and all of it but its last byte
                                    byte[] partial = new byte[4 + frameBytes - 1];
                                    ByteBuffer.wrap(partial).putInt(frameBytes);
                                    begun.incrementAndGet();
                                    client.sendRaw(partial);
                                    complete.incrementAndGet();
                                } catch (IOException e) {
                                    // closed at the end of the test
                                }
                            },
                            "partial-frame-" + i);
            holder.setDaemon(true);
            holder.start();
        }
        Deadline.await(
                "every connection to begin its frame and one to send all of it but a byte",
                Duration.ofSeconds(30),
                () -> begun.get() == connections && complete.get() >= 1);

        assertStillServes();
    }

    @Test
    void aConnectionBeyondTheCapIsRefusedNamingTheSetting() throws Exception {
        start("sidecar.transport.max-connections=2");
        TestingClient first = connect();
        first.send(hello());
        assertThat(first.receive().hasWelcome()).isTrue();
        TestingClient second = connect();
        second.send(hello());
        assertThat(second.receive().hasWelcome()).isTrue();

        TestingClient third = connect();
        ServerMessage refusal = third.receive();
        assertThat(refusal.getRefusal().getReason())
                .contains("at most 2 sessions")
                .contains("sidecar.transport.max-connections");
        assertThat(third.closedByServer()).isTrue();

        first.send(goodbye());
        assertThat(first.closedByServer()).isTrue();
        assertStillServes();
        assertThat(sidecar.logText()).containsOnlyOnce("refused a connection (1 so far)");
    }

    @Test
    void runningOutOfFileDescriptorsPausesAcceptingAndLogsOnce() throws Exception {
        sidecar =
                ServeProcess.startWithOpenFileLimit(
                                dir.resolve("sidecar.log"),
                                512,
                                List.of(HEAP, "-Dio.netty.leakDetection.level=paranoid"),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString(),
                                "--conf",
                                "sidecar.transport.max-connections=2000")
                        .awaitAccepting();
        assertThat(sidecar.logText()).contains("sidecar.transport.max-connections 2000 leaves");
        List<TestingClient> clients = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            clients.add(connect());
        }
        Deadline.await(
                "the sidecar to run out of file descriptors",
                Duration.ofSeconds(30),
                () -> sidecar.logText().contains("cannot accept connections on " + socket));
        for (TestingClient client : clients) {
            client.close();
        }

        assertStillServes();
        assertThat(sidecar.logText())
                .containsOnlyOnce("cannot accept connections on")
                .contains("Too many open files")
                .doesNotContain("reached at the tail of the pipeline");
    }

    @Test
    void aConnectionWithoutHelloIsClosedAfterTheHelloTimeout() throws Exception {
        start("sidecar.session.hello-timeout=200ms");
        TestingClient silent = connect();

        Error error = silent.receive().getError();
        assertThat(error.getCode()).isEqualTo("PROTOCOL");
        assertThat(error.getMessage())
                .isEqualTo("no Hello within 200ms of connecting (sidecar.session.hello-timeout)");
        assertThat(silent.closedByServer()).isTrue();
        assertStillServes();
    }

    @Test
    void aSenderOfOneByteAtATimeIsCutOffAfterTheFrameTimeout() throws Exception {
        start("sidecar.transport.frame-timeout=300ms");
        TestingClient dripping = connect();
        dripping.send(hello());
        assertThat(dripping.receive().hasWelcome()).isTrue();
        byte[] batch = frame(events(TestingBatches.batch(1, "a=1", "b=2")));
        Thread drip =
                new Thread(
                        () -> {
                            try {
                                for (byte b : batch) {
                                    dripping.sendRaw(new byte[] {b});
                                    Thread.sleep(50); // the pace of the slow sender, not a wait
                                }
                            } catch (IOException | InterruptedException e) {
                                // cut off, as expected
                            }
                        },
                        "drip");
        drip.setDaemon(true);
        drip.start();

        Error error = dripping.receive().getError();
        assertThat(error.getCode()).isEqualTo("PROTOCOL");
        assertThat(error.getMessage())
                .startsWith("a frame was begun and not completed within 300ms")
                .endsWith("sidecar.transport.frame-timeout)");
        assertStillServes();
    }

    @Test
    void anAttributeCountThatOverflowsToTheRightSumIsAMalformedFrame() throws Exception {
        start();
        TestingClient client = connect();
        client.send(hello());
        assertThat(client.receive().hasWelcome()).isTrue();
        // as signed 32-bit numbers -1 + 1 = 0 = the number of attribute tags
        EventBatch batch =
                EventBatch.newBuilder()
                        .setSequence(1)
                        .addKey("a")
                        .addKey("b")
                        .addTimeDelta(1000)
                        .addTimeDelta(1)
                        .addType(0)
                        .addType(0)
                        .addAttributeCount(-1)
                        .addAttributeCount(1)
                        .build();
        client.send(events(batch));

        Error error = client.receive().getError();
        assertThat(error.getCode()).isEqualTo("MALFORMED_FRAME");
        assertThat(error.getSequence()).isEqualTo(1);
        assertThat(error.getMessage())
                .isEqualTo(
                        "EventBatch 1 is malformed: column 'attribute_count' sums to 4294967296 attributes, and 'attribute_tag' has 0");
        assertStillServes();
    }

    @Test
    void sequencesPast2To63ArePrintedUnsigned() throws Exception {
        start();
        TestingClient client = connect();
        long first = Long.MIN_VALUE + 5; // 2^63 + 5
        ClientMessage hello = hello();
        client.send(
                hello.toBuilder()
                        .setHello(hello.getHello().toBuilder().setFirstSequence(first))
                        .build());
        assertThat(client.receive().hasWelcome()).isTrue();
        client.send(events(TestingBatches.batch(first, "a=1")));
        assertThat(client.receive().getResults().getSequence()).isEqualTo(first);
        client.send(events(TestingBatches.batch(first + 5, "b=1")));

        Error error = client.receive().getError();
        assertThat(error.getCode()).isEqualTo("PROTOCOL");
        assertThat(error.getMessage())
                .isEqualTo("received EventBatch 9223372036854775818, expected 9223372036854775814");
        assertStillServes();
    }

    @Test
    void checkpointIdsPast2To63FollowSmallerOnes() throws Exception {
        start();
        TestingClient client = connect();
        client.send(hello(true, 0));
        assertThat(client.receive().hasWelcome()).isTrue();
        client.send(dev.flinksidecar.sidecar.TestingFrames.barrier(5));
        assertThat(client.receive().getCheckpointAck().getCheckpointId()).isEqualTo(5);
        long past = Long.MIN_VALUE + 1; // 2^63 + 1
        client.send(dev.flinksidecar.sidecar.TestingFrames.barrier(past));
        assertThat(client.receive().getCheckpointAck().getCheckpointId()).isEqualTo(past);
        client.send(dev.flinksidecar.sidecar.TestingFrames.barrier(6));

        Error error = client.receive().getError();
        assertThat(error.getMessage())
                .isEqualTo(
                        "received CheckpointBarrier 6 after CheckpointBarrier 9223372036854775809; checkpoint ids must increase");
        assertStillServes();
    }

    @Test
    void sigtermAnswersTheBatchInFlightRemovesBothSocketsAndExitsWithZero() throws Exception {
        start();
        Path open = dir.resolve("open");
        TestingClient client = connect();
        client.send(hello());
        client.send(events(TestingBatches.batch(1, "slow:" + open)));
        assertThat(client.receive().hasWelcome()).isTrue();

        sidecar.terminate();
        Deadline.await(
                "the sidecar to stop accepting",
                Duration.ofSeconds(30),
                () -> sidecar.logText().contains("stopped accepting on"));
        Files.createFile(open);
        assertThat(client.receive().getResults().getSequence()).isEqualTo(1);
        assertThat(client.receive().getError().getCode()).isEqualTo("SHUTDOWN");
        assertThat(client.closedByServer()).isTrue();

        assertThat(sidecar.awaitExit()).as("exit code after SIGTERM").isZero();
        assertThat(socket).doesNotExist();
        assertThat(Path.of(socket + ".admin")).doesNotExist();
        assertThat(sidecar.logText()).doesNotContain("LEAK:");
    }

    // ---------------------------------------------------------------------------------------

    private void start(String... conf) throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString(),
                                "--conf",
                                INPUT_BYTES));
        for (String setting : conf) {
            args.add("--conf");
            args.add(setting);
        }
        sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                List.of(HEAP, "-Dio.netty.leakDetection.level=paranoid"),
                                args.toArray(new String[0]))
                        .awaitAccepting();
    }

    private TestingClient connect() throws IOException {
        TestingClient client = TestingClient.connect(socket);
        closeAfter.add(client);
        return client;
    }

    /**
     * A fresh session is served (Hello, Welcome, a batch answered), and the sidecar is alive, ran
     * out of no memory and logged no buffer leak or double release.
     */
    private void assertStillServes() throws IOException {
        try (TestingClient client = TestingClient.connect(socket)) {
            client.send(hello());
            client.send(events(TestingBatches.batch(1, "fresh=1")));
            assertThat(client.receive().hasWelcome()).as("Welcome of a fresh session").isTrue();
            assertThat(client.receive().getResults().getResultsList())
                    .extracting(r -> r.getKey())
                    .containsExactly("fresh");
            client.send(goodbye());
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(sidecar.isAlive()).as("the sidecar is alive").isTrue();
        assertThat(sidecar.logText())
                .doesNotContain("OutOfMemoryError")
                .doesNotContain("LEAK:")
                .doesNotContain("IllegalReferenceCountException")
                .doesNotContain("refCnt: 0");
    }

    /** Waits until the writer is done or has stopped making progress (the sidecar holds it). */
    private static void awaitStalledOrDone(Thread writer, AtomicLong sent) {
        long[] last = {-1};
        int[] still = {0};
        Deadline.await(
                "the flood to stall or end",
                Duration.ofSeconds(30),
                () -> {
                    if (!writer.isAlive()) {
                        return true;
                    }
                    long now = sent.get();
                    still[0] = now == last[0] ? still[0] + 1 : 0;
                    last[0] = now;
                    return still[0] >= 100; // no progress for 100 looks, about half a second
                });
    }

    private static byte[] completedFrames(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= count; i++) {
            out.writeBytes(frame(completed(i)));
        }
        return out.toByteArray();
    }

    /**
     * A frame of {@code bytes} (about) bytes: a ClientMessage whose StateRestore holds only empty
     * KeyStates, two bytes each.
     */
    private static byte[] emptyKeyStatesFrame(int bytes) {
        int keys = (bytes - 8) / 2;
        int restoreLength = keys * 2;
        ByteBuffer body = ByteBuffer.allocate(1 + 5 + restoreLength);
        body.put((byte) ((6 << 3) | 2)); // ClientMessage.state_restore, length-delimited
        putVarint(body, restoreLength);
        for (int i = 0; i < keys; i++) {
            body.put((byte) ((1 << 3) | 2)).put((byte) 0); // StateRestore.keys: an empty KeyState
        }
        byte[] message = new byte[body.position()];
        body.flip().get(message);
        return frame(message);
    }

    /** A ClientMessage whose EventBatch is {@code deltas} packed time deltas of one byte each. */
    private static byte[] packedTimeDeltasFrame(int deltas) {
        ByteBuffer batch = ByteBuffer.allocate(1 + 5 + deltas);
        batch.put((byte) ((3 << 3) | 2)); // EventBatch.time_delta, packed
        putVarint(batch, deltas);
        batch.position(batch.position() + deltas); // zeros: deltas of 0
        ByteBuffer body = ByteBuffer.allocate(1 + 5 + batch.position());
        body.put((byte) ((2 << 3) | 2)); // ClientMessage.events
        putVarint(body, batch.position());
        body.put(batch.array(), 0, batch.position());
        byte[] message = new byte[body.position()];
        body.flip().get(message);
        return frame(message);
    }

    private static void putVarint(ByteBuffer out, int value) {
        while ((value & ~0x7F) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    private static ClientMessage keyedHello() {
        ClientMessage hello = hello(true, 0);
        return hello.toBuilder().setHello(hello.getHello().toBuilder().setKeyedState(true)).build();
    }

    /** Sends {@code bytes} on a thread of its own; the sidecar may close before taking them all. */
    private static void sendInBackground(TestingClient client, byte[] bytes) {
        Thread sender =
                new Thread(
                        () -> {
                            try {
                                client.sendRaw(bytes);
                            } catch (IOException e) {
                                // the sidecar closed the connection
                            }
                        },
                        "large-frame");
        sender.setDaemon(true);
        sender.start();
    }
}
