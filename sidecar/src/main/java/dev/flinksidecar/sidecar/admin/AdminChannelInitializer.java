package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.sidecar.transport.FrameDecoder;
import dev.flinksidecar.sidecar.transport.InputAccount;
import dev.flinksidecar.sidecar.transport.InputBudget;
import dev.flinksidecar.sidecar.transport.MessageDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipeline of one admin connection, in the order bytes flow:
 *
 * <pre>
 *  in:  frame decoder (4-byte length, sidecar.admin.max-frame-bytes, fail fast, input budget, frame timeout)
 *       -> message decoder (AdminRequest, its heap estimated and charged first) -> handler
 *  out: handler -> protobuf encoder (AdminResponse) -> frame prepender (4-byte length)
 * </pre>
 *
 * Runs on the admin event loop.
 */
final class AdminChannelInitializer extends ChannelInitializer<Channel> {

    private final AdminLimits limits;
    private final AdminService service;
    private final Executor adminThread;
    private final InputBudget budget;
    private final AtomicInteger connections = new AtomicInteger();

    AdminChannelInitializer(AdminLimits limits, AdminService service, Executor adminThread) {
        this.limits = limits;
        this.service = service;
        this.adminThread = adminThread;
        this.budget = new InputBudget(limits.inputBytes(), "twice sidecar.admin.max-frame-bytes");
    }

    @Override
    protected void initChannel(Channel channel) {
        InputAccount.attach(channel, budget);
        channel.pipeline()
                .addLast(
                        "frame-decoder",
                        new FrameDecoder(
                                limits.maxFrameBytes(),
                                "sidecar.admin.max-frame-bytes",
                                limits.frameTimeout()))
                .addLast(
                        "protobuf-decoder", new MessageDecoder<>(AdminRequest.getDefaultInstance()))
                .addLast("frame-prepender", new LengthFieldPrepender(Protocol.LENGTH_FIELD_BYTES))
                .addLast("protobuf-encoder", new ProtobufEncoder())
                .addLast("admin", new AdminHandler(service, adminThread, limits, connections));
    }
}
