package dev.flinksidecar.operator.client;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Goodbye;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.Welcome;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session with the sidecar over a Unix domain socket (the JDK's {@link SocketChannel}),
 * speaking session.proto.
 *
 * <pre>
 *   connect() ──► handshake(Hello) ──► start(listener) ──► send(...)* ──► goodbye() ──► close()
 *   task thread    task thread           task thread         task thread    task thread    any thread
 *                                        └─ reader thread: frames ─► ServerListener
 * </pre>
 *
 * Writes happen only on the thread that owns the client (the task thread); the reader thread only
 * reads and calls the listener. The two share no lock: the only state they both touch is volatile
 * flags and clocks.
 *
 * <p><b>No write blocks forever.</b> Writes block while the socket's buffers are full: that is the
 * sidecar's backpressure, and the task thread waits in it. Given an answer timeout at {@link
 * #start(ServerListener, String, Duration)}, a {@link WriteWatchdog} thread closes the socket when
 * a write has moved no byte and the sidecar has answered nothing for that long (a frozen sidecar);
 * the write then fails, and the reader thread reports the broken session to the listener with that
 * reason.
 */
public final class SidecarClient implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SidecarClient.class);

    private final Path socketPath;
    private final SocketChannel socket;
    private final ChannelStreams.Input in;
    private final ChannelStreams.Output out;
    private final WriteWatchdog watchdog = new WriteWatchdog();
    private int maxInboundFrameBytes = Protocol.DEFAULT_MAX_FRAME_BYTES;
    private volatile boolean closing;
    private volatile boolean goodbyeSent;
    private volatile Thread reader;

    /** Why the write watchdog closed the socket; null while it has not. */
    private volatile SidecarSessionException stall;

    private SidecarClient(Path socketPath, SocketChannel socket) {
        this.socketPath = socketPath;
        this.socket = socket;
        this.in = new ChannelStreams.Input(socket);
        this.out = new ChannelStreams.Output(socket, watchdog);
    }

    /**
     * Connects, retrying until {@code timeout}. Runs on the calling (task) thread.
     *
     * @throws SidecarUnavailableException when no sidecar accepts before the deadline
     */
    public static SidecarClient connect(Path socketPath, Duration timeout)
            throws IOException, InterruptedException {
        return new SidecarClient(socketPath, SocketConnector.connect(socketPath, timeout));
    }

    /**
     * Sends Hello (its protocol version and frame limit filled in here) and waits up to {@code
     * timeout} for the answer. Runs on the calling (task) thread, before {@link #start}.
     *
     * @throws SidecarRefusedException when the sidecar refuses the session, with its reason
     * @throws SidecarSessionException when it answers with anything else, closes, or is silent too
     *     long
     */
    public Welcome handshake(Hello.Builder hello, int maxFrameBytes, Duration timeout)
            throws IOException {
        maxInboundFrameBytes = maxFrameBytes;
        hello.setProtocolVersion(Protocol.VERSION).setMaxFrameBytes(maxFrameBytes);
        send(ClientMessage.newBuilder().setHello(hello).build());
        ServerMessage answer;
        in.readWithin(timeout);
        try {
            byte[] frame = Frames.read(in, maxFrameBytes);
            if (frame == null) {
                throw new SidecarSessionException(
                        "the sidecar on "
                                + socketPath
                                + " closed the connection during the handshake");
            }
            answer = ServerMessage.parseFrom(frame);
        } catch (SocketTimeoutException e) {
            throw new SidecarSessionException(
                    "the sidecar on "
                            + socketPath
                            + " did not answer the handshake within "
                            + timeout.toMillis()
                            + " ms",
                    e);
        } finally {
            in.blocking();
        }
        switch (answer.getKindCase()) {
            case WELCOME:
                return answer.getWelcome();
            case REFUSAL:
                throw new SidecarRefusedException(
                        "the sidecar on "
                                + socketPath
                                + " refused the session: "
                                + answer.getRefusal().getReason());
            case ERROR:
                throw new SidecarSessionException(
                        "the sidecar on "
                                + socketPath
                                + " answered the handshake with an error: "
                                + answer.getError().getMessage());
            default:
                throw new SidecarSessionException(
                        "the sidecar on "
                                + socketPath
                                + " answered the handshake with "
                                + answer.getKindCase());
        }
    }

    /**
     * Starts the reader thread that hands every later server message to {@code listener}; writes
     * may block without a bound. Task thread.
     */
    public void start(ServerListener listener, String threadName) {
        reader = new Thread(() -> readLoop(listener), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the reader thread, as {@link #start(ServerListener, String)}, and a write watchdog
     * thread ({@code sidecar-write-watchdog-THREADNAME}): a write that moved no byte while the
     * sidecar answered nothing for {@code answerTimeout} fails, the socket is closed and {@code
     * listener} hears of the broken session. Task thread.
     */
    public void start(ServerListener listener, String threadName, Duration answerTimeout) {
        start(listener, threadName);
        watchdog.start(
                answerTimeout,
                "sidecar-write-watchdog-" + threadName,
                stalledMs -> breakStalledWrite(stalledMs, answerTimeout));
    }

    /** Writes one message as one frame. Only the owning (task) thread calls this. */
    public void send(ClientMessage message) throws IOException {
        Frames.write(out, message);
    }

    /** Writes one whole frame ({@link Frames#encode}). Only the owning (task) thread calls this. */
    public void sendFrame(byte[] frame) throws IOException {
        out.write(frame);
    }

    /**
     * Says Goodbye; the sidecar answers what is in flight and then closes. Owning (task) thread.
     */
    public void goodbye(String reason) throws IOException {
        goodbyeSent = true;
        send(ClientMessage.newBuilder().setGoodbye(Goodbye.newBuilder().setReason(reason)).build());
    }

    /**
     * Closes the socket and waits briefly for the reader thread to end; no listener call starts
     * after this returns except one that was already running. Any thread; idempotent.
     */
    @Override
    public void close() throws IOException {
        closing = true;
        watchdog.stop();
        try {
            socket.close();
        } finally {
            Thread thread = reader;
            if (thread != null && thread != Thread.currentThread()) {
                try {
                    thread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The socket path this client talks to, for messages. */
    public Path socketPath() {
        return socketPath;
    }

    /**
     * A write moved no byte and the sidecar answered nothing for {@code stalledMs}: closes the
     * socket, which fails the blocked write (task thread) and the read (reader thread, which then
     * reports {@link #stall}). Watchdog thread.
     */
    private void breakStalledWrite(long stalledMs, Duration answerTimeout) {
        stall =
                new SidecarSessionException(
                        "a write to the sidecar on "
                                + socketPath
                                + " moved no byte and the sidecar answered nothing for "
                                + stalledMs
                                + " ms (answer-timeout "
                                + answerTimeout.toMillis()
                                + " ms); is it frozen?");
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing the stalled connection to the sidecar on {} failed", socketPath, e);
        }
    }

    /** The reason to report for a session that ended: the watchdog's, when it closed it. */
    private SidecarSessionException brokenBecause(SidecarSessionException otherwise) {
        SidecarSessionException stalled = stall;
        return stalled != null ? stalled : otherwise;
    }

    private void readLoop(ServerListener listener) {
        try {
            while (true) {
                byte[] frame = Frames.read(in, maxInboundFrameBytes);
                if (frame == null) {
                    if (!closing && !goodbyeSent) {
                        listener.onFailure(
                                brokenBecause(
                                        new SidecarSessionException(
                                                "the sidecar on "
                                                        + socketPath
                                                        + " closed the session unexpectedly")));
                    }
                    return;
                }
                watchdog.answered();
                if (!dispatch(ServerMessage.parseFrom(frame), listener)) {
                    return;
                }
            }
        } catch (InvalidProtocolBufferException e) {
            listener.onFailure(
                    new SidecarSessionException(
                            "the sidecar on "
                                    + socketPath
                                    + " sent a malformed frame: "
                                    + e.getMessage(),
                            e));
        } catch (IOException e) {
            if (!closing) {
                listener.onFailure(
                        brokenBecause(
                                new SidecarSessionException(
                                        "the connection to the sidecar on "
                                                + socketPath
                                                + " broke: "
                                                + e.getMessage(),
                                        e)));
            }
        }
    }

    /** Returns false when the session is over. Reader thread. */
    private boolean dispatch(ServerMessage message, ServerListener listener) {
        switch (message.getKindCase()) {
            case RESULTS:
                listener.onResults(message.getResults());
                return true;
            case STATE_DELTA:
                listener.onStateDelta(message.getStateDelta());
                return true;
            case CHECKPOINT_ACK:
                listener.onCheckpointAck(message.getCheckpointAck());
                return true;
            case SHADOW_REPORT:
                listener.onShadowReport(message.getShadowReport());
                return true;
            case ERROR:
                if (!message.getError().getFatal()) {
                    LOG.warn(
                            "The sidecar on {} reports: {}: {}",
                            socketPath,
                            message.getError().getCode(),
                            message.getError().getMessage());
                    return true;
                }
                listener.onFailure(
                        new SidecarSessionException(
                                "the sidecar on "
                                        + socketPath
                                        + " ended the session: "
                                        + message.getError().getCode()
                                        + ": "
                                        + message.getError().getMessage()));
                return false;
            default:
                listener.onFailure(
                        new SidecarSessionException(
                                "the sidecar on "
                                        + socketPath
                                        + " sent an unexpected "
                                        + message.getKindCase()
                                        + " during the session"));
                return false;
        }
    }
}
