package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.frame;
import static dev.flinksidecar.sidecar.TestingFrames.frames;
import static dev.flinksidecar.sidecar.TestingFrames.goodbye;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import dev.flinksidecar.sidecar.session.Sessions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session pipeline (frame decoder, protobuf codec, session) through Netty's {@link
 * EmbeddedChannel}, with rule code run inline or by hand: input split at every byte, oversized and
 * malformed frames, protocol violations.
 */
class SidecarChannelInitializerTest {

    private static final int MAX_FRAME_BYTES = 1024;

    @TempDir static Path rulesDir;

    private static RuleSet rules;

    @BeforeAll
    static void loadRules() throws IOException {
        TestingRuleJars.threshold(rulesDir, "threshold", 100);
        rules = RuleSet.load(rulesDir);
    }

    @AfterAll
    static void closeRules() throws IOException {
        rules.close();
    }

    @Test
    void answersInOrderWhateverByteTheInputIsSplitAt() throws IOException {
        byte[] input =
                frames(
                        hello(),
                        events(TestingBatches.batch(1, "a=50", "b=150")),
                        events(TestingBatches.batch(2, "c=500")),
                        goodbye());
        for (int split = 0; split <= input.length; split++) {
            EmbeddedChannel channel = channel(Runnable::run, 16);
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, 0, split)));
            if (split < input.length) {
                channel.writeInbound(
                        Unpooled.wrappedBuffer(Arrays.copyOfRange(input, split, input.length)));
            }
            channel.runPendingTasks();

            assertAnswers(received(channel), "split at byte " + split);
            assertThat(channel.isOpen()).as("closed after Goodbye").isFalse();
        }
    }

    @Test
    void answersInOrderWhenEveryByteArrivesAlone() throws IOException {
        byte[] input =
                frames(
                        hello(),
                        events(TestingBatches.batch(1, "a=50", "b=150")),
                        events(TestingBatches.batch(2, "c=500")));
        EmbeddedChannel channel = channel(Runnable::run, 16);
        for (byte b : input) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        channel.runPendingTasks();

        assertAnswers(received(channel), "byte by byte");
        assertThat(channel.isOpen()).isTrue();
    }

    private static void assertAnswers(List<ServerMessage> answers, String description) {
        assertThat(answers)
                .as(description)
                .extracting(ServerMessage::getKindCase)
                .containsExactly(
                        ServerMessage.KindCase.WELCOME,
                        ServerMessage.KindCase.RESULTS,
                        ServerMessage.KindCase.RESULTS);
        assertThat(answers.get(0).getWelcome().getRulesList())
                .extracting(
                        r ->
                                TestingVersions.normalisedRef(
                                        r.getId() + "@" + r.getVersion(), rulesDir))
                .containsExactly("threshold@1.0.0");
        assertThat(answers.get(1).getResults().getSequence()).isEqualTo(1);
        assertThat(answers.get(1).getResults().getResultsList())
                .extracting(r -> r.getKey() + "@" + r.getEventIndex())
                .containsExactly("b@1");
        assertThat(answers.get(2).getResults().getSequence()).isEqualTo(2);
        assertThat(answers.get(2).getResults().getResultsList())
                .extracting(r -> r.getKey())
                .containsExactly("c");
    }

    @Test
    void anOversizedFrameClosesTheSessionWithAnError() throws IOException {
        EmbeddedChannel channel = channel(Runnable::run, 16);
        channel.writeInbound(Unpooled.wrappedBuffer(frame(hello())));
        // only the length of the oversized frame arrives: fail fast must not wait for its bytes
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0x10, 0}));
        channel.runPendingTasks();

        List<ServerMessage> answers = received(channel);
        assertThat(answers)
                .extracting(ServerMessage::getKindCase)
                .containsExactly(ServerMessage.KindCase.WELCOME, ServerMessage.KindCase.ERROR);
        assertThat(answers.get(1).getError().getCode()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(answers.get(1).getError().getFatal()).isTrue();
        assertThat(answers.get(1).getError().getMessage())
                .isEqualTo(
                        "a frame of 4096 bytes is over the sidecar's limit of 1024 bytes (sidecar.transport.max-frame-bytes)");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aFrameOfExactlyTheLimitIsAccepted() throws IOException {
        byte[] body = events(TestingBatches.batch(1, "a=500")).toByteArray();
        EmbeddedChannel channel = channel(Runnable::run, 16, body.length);
        channel.writeInbound(
                Unpooled.wrappedBuffer(frames(hello())), Unpooled.wrappedBuffer(frame(body)));
        channel.runPendingTasks();

        assertThat(received(channel))
                .extracting(ServerMessage::getKindCase)
                .containsExactly(ServerMessage.KindCase.WELCOME, ServerMessage.KindCase.RESULTS);
    }

    @Test
    void aMalformedFrameClosesTheSessionWithAnError() throws IOException {
        EmbeddedChannel channel = channel(Runnable::run, 16);
        channel.writeInbound(
                Unpooled.wrappedBuffer(frame(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})));
        channel.runPendingTasks();

        ServerMessage answer = single(received(channel));
        assertThat(answer.getError().getCode()).isEqualTo("MALFORMED_FRAME");
        assertThat(answer.getError().getMessage())
                .startsWith("a frame is not a valid ClientMessage");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aWrongProtocolVersionIsRefusedWithTheReason() throws IOException {
        EmbeddedChannel channel = channel(Runnable::run, 16);
        channel.writeInbound(Unpooled.wrappedBuffer(frame(hello(7))));
        channel.runPendingTasks();

        ServerMessage answer = single(received(channel));
        assertThat(answer.getRefusal().getReason())
                .isEqualTo("protocol version 7 is not supported (supported: 1)");
        assertThat(answer.getRefusal().getSupportedProtocolVersionsList()).containsExactly(1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void eventsBeforeHelloAreAProtocolError() throws IOException {
        EmbeddedChannel channel = channel(Runnable::run, 16);
        channel.writeInbound(Unpooled.wrappedBuffer(frame(events(TestingBatches.batch(1, "a=1")))));
        channel.runPendingTasks();

        ServerMessage answer = single(received(channel));
        assertThat(answer.getError().getCode()).isEqualTo("PROTOCOL");
        assertThat(answer.getError().getMessage()).isEqualTo("received an EventBatch before Hello");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aSequenceGapIsAProtocolError() throws IOException {
        EmbeddedChannel channel = channel(Runnable::run, 16);
        channel.writeInbound(
                Unpooled.wrappedBuffer(frames(hello(), events(TestingBatches.batch(2, "a=1")))));
        channel.runPendingTasks();

        List<ServerMessage> answers = received(channel);
        assertThat(answers.get(1).getError().getMessage())
                .isEqualTo("received EventBatch 2, expected 1");
        assertThat(answers.get(1).getError().getSequence()).isEqualTo(2);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void stopsReadingAtTheBoundOfPendingBatchesAndResumesWhenAnswered() throws IOException {
        Queue<Runnable> ruleTasks = new ArrayDeque<>();
        EmbeddedChannel channel = channel(ruleTasks::add, 2);
        channel.writeInbound(
                Unpooled.wrappedBuffer(frames(hello(), events(TestingBatches.batch(1, "a=500")))));
        assertThat(channel.config().isAutoRead()).as("Hello and one batch pending").isFalse();

        while (!ruleTasks.isEmpty()) {
            ruleTasks.poll().run();
        }
        channel.runPendingTasks();

        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(received(channel))
                .extracting(ServerMessage::getKindCase)
                .containsExactly(ServerMessage.KindCase.WELCOME, ServerMessage.KindCase.RESULTS);
    }

    @Test
    void stopsReadingAtTheBoundOfPendingBytesWhateverTheMessageKind() throws IOException {
        Queue<Runnable> ruleTasks = new ArrayDeque<>();
        Sessions sessions =
                new Sessions(
                        rules,
                        ruleTasks::add,
                        MAX_FRAME_BYTES,
                        1000,
                        2000,
                        10,
                        Duration.ZERO,
                        "test",
                        SidecarMetrics.disabled());
        EmbeddedChannel channel =
                new EmbeddedChannel(
                        new SidecarChannelInitializer(
                                MAX_FRAME_BYTES,
                                sessions::newSession,
                                new InputBudget(1 << 20, "budget"),
                                Duration.ZERO));
        channel.writeInbound(Unpooled.wrappedBuffer(frame(hello())));
        ClientMessage[] completions = new ClientMessage[20];
        for (int i = 0; i < completions.length; i++) {
            completions[i] = TestingFrames.completed(i + 1);
        }
        channel.writeInbound(Unpooled.wrappedBuffer(frames(completions)));
        assertThat(channel.config().isAutoRead())
                .as("2000 bytes of CheckpointCompleted pending")
                .isFalse();

        while (!ruleTasks.isEmpty()) {
            ruleTasks.poll().run();
        }
        channel.runPendingTasks();

        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(InputAccount.of(channel).pendingBytes()).isZero();
        assertThat(received(channel))
                .extracting(ServerMessage::getKindCase)
                .containsExactly(ServerMessage.KindCase.WELCOME);
    }

    @Test
    void aFrameThatDoesNotFitTheSharedBudgetWaitsUntilAnotherConnectionGivesBytesBack()
            throws IOException {
        InputBudget budget = new InputBudget(4000, "budget");
        Sessions sessions = new Sessions(rules, Runnable::run, 8192, 16, "test");
        EmbeddedChannel holder =
                new EmbeddedChannel(
                        new SidecarChannelInitializer(
                                8192, sessions::newSession, budget, Duration.ZERO));
        EmbeddedChannel waiter =
                new EmbeddedChannel(
                        new SidecarChannelInitializer(
                                8192, sessions::newSession, budget, Duration.ZERO));
        holder.writeInbound(Unpooled.wrappedBuffer(frame(hello())));
        // the length of a 3950-byte frame and 10 of its bytes: 3950 bytes reserved
        holder.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 15, 110}, new byte[10]));
        assertThat(budget.used()).isEqualTo(3950);

        waiter.writeInbound(
                Unpooled.wrappedBuffer(
                        frames(
                                hello(),
                                events(
                                        TestingBatches.batch(
                                                1, "a=500", "b=1", "c=2", "d=3", "e=4", "f=5",
                                                "g=6", "h=7")))));
        assertThat(received(waiter))
                .extracting(ServerMessage::getKindCase)
                .containsExactly(ServerMessage.KindCase.WELCOME);
        assertThat(waiter.config().isAutoRead()).as("the batch waits for the budget").isFalse();

        holder.close();
        waiter.runPendingTasks();

        assertThat(received(waiter))
                .extracting(ServerMessage::getKindCase)
                .containsExactly(ServerMessage.KindCase.RESULTS);
        assertThat(waiter.config().isAutoRead()).isTrue();
        waiter.close();
        assertThat(budget.used()).isZero();
    }

    private static EmbeddedChannel channel(Executor ruleExecutor, int maxPendingBatches) {
        return channel(ruleExecutor, maxPendingBatches, MAX_FRAME_BYTES);
    }

    private static EmbeddedChannel channel(
            Executor ruleExecutor, int maxPendingBatches, int maxFrameBytes) {
        Sessions sessions =
                new Sessions(rules, ruleExecutor, maxFrameBytes, maxPendingBatches, "test");
        return new EmbeddedChannel(
                new SidecarChannelInitializer(maxFrameBytes, sessions::newSession));
    }

    private static ServerMessage single(List<ServerMessage> messages) {
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static List<ServerMessage> received(EmbeddedChannel channel) throws IOException {
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
