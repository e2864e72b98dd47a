package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.barrier;
import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.frames;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.deploy.ArtifactStore;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.session.Sessions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CheckpointBarrier in the session protocol: answered in band with a CheckpointAck after the
 * answers to the batches before it; staged windowed versions switch at it; ids must increase.
 */
class CheckpointBarrierSessionTest {

    private static final String SUM =
            "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"version\": \"%s\"}";

    @TempDir Path dir;

    @Test
    void aBarrierIsAcknowledgedInBandAndAStagedWindowedVersionSwitchesRightAfterIt()
            throws Exception {
        byte[] sum =
                RuleJarBuilder.jar("sum")
                        .source(TestingRuleJars.WINDOWED_SUM)
                        .windowedRules("testrules.WindowedSum")
                        .bytes();
        try (ArtifactStore store = ArtifactStore.open(dir.resolve("store"))) {
            RuleRegistry registry =
                    new RuleRegistry(store, loader -> {}, 3, System::currentTimeMillis);
            registry.deploy(
                    "sum.jar",
                    sum,
                    String.format(SUM, "1").getBytes(StandardCharsets.UTF_8),
                    "admin sum.jar");
            Sessions sessions = new Sessions(registry, Runnable::run, 1 << 20, 16, "test");
            EmbeddedChannel channel =
                    new EmbeddedChannel(
                            new SidecarChannelInitializer(1 << 20, sessions::newSession));

            channel.writeInbound(Unpooled.wrappedBuffer(frames(hello(true, 0), barrier(1))));
            registry.deploy(
                    "sum.jar",
                    sum,
                    String.format(SUM, "2").getBytes(StandardCharsets.UTF_8),
                    "admin sum.jar");
            channel.writeInbound(
                    Unpooled.wrappedBuffer(
                            frames(
                                    events(TestingBatches.timed(1, null, "a@1000=5")),
                                    barrier(2),
                                    events(TestingBatches.timed(2, Long.MAX_VALUE, "a@2000=7")))));
            channel.runPendingTasks();

            List<ServerMessage> answers = received(channel);
            assertThat(answers)
                    .extracting(ServerMessage::getKindCase)
                    .containsExactly(
                            ServerMessage.KindCase.WELCOME,
                            ServerMessage.KindCase.CHECKPOINT_ACK,
                            ServerMessage.KindCase.RESULTS,
                            ServerMessage.KindCase.CHECKPOINT_ACK,
                            ServerMessage.KindCase.RESULTS);
            assertThat(answers.get(1).getCheckpointAck().getCheckpointId()).isEqualTo(1);
            assertThat(versions(answers.get(1).getCheckpointAck().getRulesList()))
                    .containsExactly("1");
            assertThat(versions(answers.get(2).getResults().getRulesList())).containsExactly("1");
            assertThat(answers.get(3).getCheckpointAck().getCheckpointId()).isEqualTo(2);
            assertThat(versions(answers.get(3).getCheckpointAck().getRulesList()))
                    .containsExactly("2");
            assertThat(answers.get(4).getResults().getResultsList())
                    .extracting(
                            r ->
                                    answers.get(4)
                                                    .getResults()
                                                    .getRules(r.getRule())
                                                    .getVersion()
                                                    .substring(0, 1)
                                            + ":"
                                            + r.getWindow().getValue())
                    .as(
                            "the window opened under 1 finishes under 1; the event after the barrier opens nothing new")
                    .containsExactly("1:12.0");
            channel.close();
            registry.close();
        }
    }

    @Test
    void aBarrierThatDoesNotIncreaseClosesTheSession() throws Exception {
        try (ArtifactStore store = ArtifactStore.open(dir.resolve("store"))) {
            RuleRegistry registry =
                    new RuleRegistry(store, loader -> {}, 3, System::currentTimeMillis);
            Sessions sessions = new Sessions(registry, Runnable::run, 1 << 20, 16, "test");
            EmbeddedChannel channel =
                    new EmbeddedChannel(
                            new SidecarChannelInitializer(1 << 20, sessions::newSession));

            channel.writeInbound(
                    Unpooled.wrappedBuffer(frames(hello(true, 0), barrier(5), barrier(5))));
            channel.runPendingTasks();

            List<ServerMessage> answers = received(channel);
            assertThat(answers)
                    .extracting(ServerMessage::getKindCase)
                    .containsExactly(
                            ServerMessage.KindCase.WELCOME,
                            ServerMessage.KindCase.CHECKPOINT_ACK,
                            ServerMessage.KindCase.ERROR);
            assertThat(answers.get(2).getError().getCode()).isEqualTo("PROTOCOL");
            assertThat(answers.get(2).getError().getMessage())
                    .isEqualTo(
                            "received CheckpointBarrier 5 after CheckpointBarrier 5; checkpoint ids must increase");
            assertThat(channel.isOpen()).isFalse();
        }
    }

    private static List<String> versions(List<RuleRef> refs) {
        return refs.stream()
                .map(r -> r.getVersion().substring(0, r.getVersion().indexOf('+')))
                .collect(Collectors.toList());
    }

    private static List<ServerMessage> received(EmbeddedChannel channel) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        return TestingFrames.parse(out.toByteArray());
    }
}
