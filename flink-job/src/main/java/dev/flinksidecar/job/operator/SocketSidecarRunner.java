package dev.flinksidecar.job.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.job.client.ServerListener;
import dev.flinksidecar.job.client.SidecarClient;
import dev.flinksidecar.job.client.SidecarSessionException;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.CheckpointBarrier;
import dev.flinksidecar.proto.CheckpointCompleted;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.Welcome;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The production runner: one session with the sidecar over its Unix domain socket. Batches are
 * encoded in the columnar layout by an {@link EventBatchWriter}, watermarks as interim watermarks
 * at their place between the events (never the batch's trailing {@code watermark} field, so one
 * batch carries any number of them), and written on the task thread;
 * the client's reader thread decodes answers and calls the {@link ReplyHandler}.
 */
final class SocketSidecarRunner implements SidecarRunner {

    private final SidecarOperatorOptions options;
    private final EventBatchWriter writer = new EventBatchWriter();
    private SidecarClient client;
    private long sequence;

    SocketSidecarRunner(SidecarOperatorOptions options) {
        this.options = options;
    }

    @Override
    public SessionInfo open(Hello.Builder hello, ReplyHandler handler) throws Exception {
        Path socket = Path.of(options.get(SidecarOperatorOptions.SOCKET_PATH));
        client = SidecarClient.connect(socket, options.get(SidecarOperatorOptions.CONNECT_TIMEOUT));
        int maxFrame = (int) options.get(SidecarOperatorOptions.MAX_FRAME_BYTES).getBytes();
        Welcome welcome = client.handshake(hello, maxFrame, options.get(SidecarOperatorOptions.HANDSHAKE_TIMEOUT));
        client.start(new ServerListener() {
            @Override
            public void onResults(ResultBatch batch) {
                handler.onReply(batch);
            }

            @Override
            public void onCheckpointAck(CheckpointAck ack) {
                handler.onCheckpointAck(ack);
            }

            @Override
            public void onFailure(SidecarSessionException cause) {
                handler.onFailure(cause);
            }
        }, "sidecar-reader-" + hello.getOperatorName() + "-" + hello.getSubtaskIndex());
        return new SessionInfo(welcome.getSidecarVersion(), welcome.getSessionId(), welcome.getRulesList(),
                welcome.getMaxFrameBytes());
    }

    @Override
    public void process(EventRecord event) {
        writer.add(event);
    }

    @Override
    public int batchSize() {
        return writer.size();
    }

    @Override
    public long batchBytes() {
        return writer.estimatedBytes();
    }

    @Override
    public void watermark(long watermark) {
        writer.watermarkAfterEvents(watermark);
    }

    @Override
    public long flush() throws IOException {
        long seq = ++sequence;
        ClientMessage message = ClientMessage.newBuilder().setEvents(writer.build(seq, false, 0)).build();
        writer.clear();
        client.send(message);
        return seq;
    }

    @Override
    public void barrier(long checkpointId) throws IOException {
        if (writer.size() > 0) {
            throw new IllegalStateException("a checkpoint barrier must follow a flushed batch");
        }
        client.send(ClientMessage.newBuilder()
                .setCheckpointBarrier(CheckpointBarrier.newBuilder().setCheckpointId(checkpointId)).build());
    }

    @Override
    public void checkpointCompleted(long checkpointId) throws IOException {
        client.send(ClientMessage.newBuilder()
                .setCheckpointCompleted(CheckpointCompleted.newBuilder().setCheckpointId(checkpointId)).build());
    }

    @Override
    public void finish(String reason) throws IOException {
        if (client != null) {
            client.goodbye(reason);
        }
    }

    @Override
    public void close() throws IOException {
        if (client != null) {
            client.close();
        }
    }
}
