package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.frames;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import dev.flinksidecar.sidecar.session.Sessions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s session path carries windows as {@code replay} does (the same engine): window
 * state lives across the batches of a session, each batch's watermark fires windows after its
 * events, late events come back in the answer of the batch that held them.
 */
class WindowedSessionTest {

    @TempDir Path rulesDir;

    @Test
    void windowsLiveAcrossTheBatchesOfASessionAndFireOnTheForwardedWatermarks() throws Exception {
        TestingRuleJars.windowedSum(
                rulesDir, "sum", "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}}");
        try (RuleSet rules = RuleSet.load(rulesDir)) {
            Sessions sessions = new Sessions(rules, Runnable::run, 1 << 20, 16, "test");
            EmbeddedChannel channel =
                    new EmbeddedChannel(
                            new SidecarChannelInitializer(1 << 20, sessions::newSession));

            channel.writeInbound(
                    Unpooled.wrappedBuffer(
                            frames(
                                    hello(),
                                    events(batch(1, 4999, "a@1000=1", "b@2000=2")),
                                    events(batch(2, 10500, "a@3000=4", "a@12000=8")),
                                    events(batch(3, Long.MAX_VALUE, "b@9000=16")))));
            channel.runPendingTasks();

            List<ServerMessage> answers = received(channel);
            assertThat(answers)
                    .extracting(ServerMessage::getKindCase)
                    .containsExactly(
                            ServerMessage.KindCase.WELCOME,
                            ServerMessage.KindCase.RESULTS,
                            ServerMessage.KindCase.RESULTS,
                            ServerMessage.KindCase.RESULTS);
            assertThat(lines(answers.get(1).getResults())).isEmpty();
            assertThat(lines(answers.get(2).getResults()))
                    .containsExactly(
                            "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"a\",\"window_start\":0,\"window_end\":10000,\"value\":5.0,\"count\":2}",
                            "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"b\",\"window_start\":0,\"window_end\":10000,\"value\":2.0,\"count\":1}");
            ResultBatch last = answers.get(3).getResults();
            assertThat(lines(last))
                    .containsExactly(
                            "{\"rule\":\"sum\",\"version\":\"1.0.0\",\"key\":\"a\",\"window_start\":10000,\"window_end\":20000,\"value\":8.0,\"count\":1}");
            assertThat(last.getLateEventsList())
                    .extracting(late -> late.getEventIndex())
                    .containsExactly(0);
            channel.close();
        }
    }

    /** Events written {@code key@time=amount}, then the batch's watermark. */
    private static EventBatch batch(long sequence, long watermark, String... events) {
        EventBatchWriter writer = new EventBatchWriter();
        for (String event : events) {
            String[] parts = event.split("[@=]");
            writer.add(
                    EventRecord.builder(parts[0], Long.parseLong(parts[1]))
                            .type("payment")
                            .set("amount", Long.parseLong(parts[2]))
                            .build());
        }
        return writer.build(sequence, true, watermark);
    }

    private List<String> lines(ResultBatch answer) {
        return TestingVersions.normalised(
                answer.getResultsList().stream()
                        .map(r -> ResultJson.toJson(answer.getRules(r.getRule()), r))
                        .collect(Collectors.toList()),
                rulesDir);
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
