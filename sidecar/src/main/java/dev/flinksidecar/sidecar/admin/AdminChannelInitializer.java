package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.sidecar.transport.FrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import java.util.concurrent.Executor;

/**
 * The pipeline of one admin connection, in the order bytes flow:
 *
 * <pre>
 *  in:  frame decoder (4-byte length, sidecar.admin.max-frame-bytes, fail fast) -> protobuf decoder (AdminRequest) -> handler
 *  out: handler -> protobuf encoder (AdminResponse) -> frame prepender (4-byte length)
 * </pre>
 *
 * Runs on the admin event loop.
 */
final class AdminChannelInitializer extends ChannelInitializer<Channel> {

    private final int maxFrameBytes;
    private final AdminService service;
    private final Executor adminThread;

    AdminChannelInitializer(int maxFrameBytes, AdminService service, Executor adminThread) {
        this.maxFrameBytes = maxFrameBytes;
        this.service = service;
        this.adminThread = adminThread;
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast(
                        "frame-decoder",
                        new FrameDecoder(maxFrameBytes, "sidecar.admin.max-frame-bytes"))
                .addLast("protobuf-decoder", new ProtobufDecoder(AdminRequest.getDefaultInstance()))
                .addLast("frame-prepender", new LengthFieldPrepender(Protocol.LENGTH_FIELD_BYTES))
                .addLast("protobuf-encoder", new ProtobufEncoder())
                .addLast("admin", new AdminHandler(service, adminThread));
    }
}
