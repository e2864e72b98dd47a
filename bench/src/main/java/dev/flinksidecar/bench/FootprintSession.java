package dev.flinksidecar.bench;

import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ServerMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection of {@link StartupFootprint} to a sidecar (a session: Hello first) or to the {@link
 * FloorServer} (frames echoed), on the JDK's own Unix-domain channel, one thread. Sends pre-encoded
 * frames with a few in flight, as the operator does, and checks each answer: a ResultBatch from the
 * sidecar, the same length from the floor.
 */
final class FootprintSession implements AutoCloseable {

    /** The first byte of a ServerMessage that holds a ResultBatch (field 3, length-delimited). */
    private static final byte RESULTS_TAG = 3 << 3 | 2;

    private final SocketChannel channel;
    private final boolean sidecar;
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private ByteBuffer body = ByteBuffer.allocate(1 << 20);

    private FootprintSession(SocketChannel channel, boolean sidecar) {
        this.channel = channel;
        this.sidecar = sidecar;
    }

    /** Connects; to a sidecar it also says Hello and waits for Welcome. */
    static FootprintSession open(Path socket, boolean sidecar) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        FootprintSession session = new FootprintSession(channel, sidecar);
        if (sidecar) {
            session.write(
                    frame(
                            ClientMessage.newBuilder()
                                    .setHello(
                                            Hello.newBuilder()
                                                    .setProtocolVersion(Protocol.VERSION)
                                                    .setJobName("startup-footprint")
                                                    .setOperatorName("sidecar")
                                                    .setParallelism(1)
                                                    .setMaxParallelism(128)
                                                    .setMaxFrameBytes(
                                                            Protocol.DEFAULT_MAX_FRAME_BYTES))
                                    .build()));
            int length = session.readFrame();
            ServerMessage welcome = ServerMessage.parseFrom(session.body.flip());
            if (!welcome.hasWelcome()) {
                throw new IOException("expected Welcome, got " + welcome);
            }
        }
        return session;
    }

    /**
     * The frames of {@code count} synthetic payment events over {@code keys} keys, {@code batch} to
     * an EventBatch numbered from 1, each with the watermark of its last event (so windows fire).
     */
    static List<byte[]> batches(long count, int batch, int keys) {
        List<byte[]> frames = new ArrayList<>();
        EventBatchWriter writer = new EventBatchWriter();
        long sequence = 0;
        for (long i = 0; i < count; i++) {
            writer.add(SyntheticPayments.event(i, keys));
            if (writer.size() == batch || i == count - 1) {
                long watermark = SyntheticPayments.event(i, keys).time();
                frames.add(
                        frame(
                                ClientMessage.newBuilder()
                                        .setEvents(writer.build(++sequence, true, watermark))
                                        .build()));
                writer.clear();
            }
        }
        return frames;
    }

    /**
     * Sends {@code frames[from, to)} with at most {@code inFlight} unanswered, and reads every
     * answer.
     */
    void run(List<byte[]> frames, int from, int to, int inFlight) throws IOException {
        int sent = from;
        int answered = from;
        while (answered < to) {
            while (sent < to && sent - answered < inFlight) {
                write(frames.get(sent++));
            }
            int length = readFrame();
            int expected = frames.get(answered).length - 4;
            if (sidecar ? body.get(0) != RESULTS_TAG : length != expected) {
                throw new IOException(
                        "unexpected answer to frame "
                                + (answered + 1)
                                + ": "
                                + (sidecar
                                        ? ServerMessage.parseFrom(body.flip())
                                        : length + " bytes, sent " + expected));
            }
            answered++;
        }
    }

    private static byte[] frame(ClientMessage message) {
        byte[] bytes = message.toByteArray();
        return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
    }

    private void write(byte[] frame) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads one frame's body into {@link #body}; returns its length. */
    private int readFrame() throws IOException {
        readFully(header.clear());
        int length = header.flip().getInt();
        if (body.capacity() < length) {
            body = ByteBuffer.allocate(Math.max(length, body.capacity() * 2));
        }
        readFully(body.clear().limit(length));
        return length;
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
