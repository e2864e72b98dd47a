package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.barrier;
import static dev.flinksidecar.sidecar.TestingFrames.completed;
import static dev.flinksidecar.sidecar.TestingFrames.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.StateRestore;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.deploy.ArtifactStore;
import dev.flinksidecar.sidecar.deploy.DeployOutcome;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.session.Sessions;
import dev.flinksidecar.sidecar.window.RandomStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed state through the session protocol, differentially: a seeded random stream (see {@link
 * RandomStream}) goes through one session, in random batches with the watermarks in band and
 * checkpoint barriers at random points, with windowed rules of every kind and a per-event rule. A
 * second run of the same stream fails after a random barrier N; a new session, restored from the
 * StateDeltas up to N (applied in order: empty state removes a key) in StateRestore messages, goes
 * on with the rest of the stream. Its answers must be those the uninterrupted session gave after
 * barrier N, its acknowledgements name the same versions, and its state after each later barrier
 * (the restored state plus its deltas) must be the uninterrupted one's.
 *
 * <p>Cases: the restored session on a fresh sidecar with the same rules; and a windowed rule's new
 * version staged for barrier N itself, with the same state layout (its windows carried over;
 * restored on the same sidecar or on a fresh one that only has the new version) or with another
 * (the old version finishes its windows; restored on the same sidecar, which keeps the old version
 * for it, also after CheckpointCompleted N). The client sends CheckpointCompleted after each
 * barrier in some runs, none in others.
 *
 * <p>The restored client forwards the watermark it had forwarded before barrier N before its next
 * batch: the restored session, like Flink's {@code WindowOperator}, starts from {@code
 * Long.MIN_VALUE}, and late events would otherwise be told apart differently until the next
 * watermark (see {@code WindowRestoreDifferentialTest} for that case against Flink itself).
 */
class KeyedStateRestoreTest {

    private static final int SEEDS = 36;
    private static final String V1 = sum("1", "sum/1", 0);
    private static final String V2_SAME_LAYOUT = sum("2", "sum/1", 100);
    private static final String V2_OTHER_LAYOUT = sum("2", "sum/2", 100);

    private enum Case {
        NO_SWAP,
        SAME_LAYOUT,
        SAME_LAYOUT_FRESH_SIDECAR,
        OTHER_LAYOUT
    }

    private static byte[] layoutSum;
    private static byte[] windowedSum;
    private static byte[] threshold;

    @TempDir Path dir;

    @BeforeAll
    static void buildJars() throws IOException {
        layoutSum =
                RuleJarBuilder.jar("sum")
                        .source(SwapRules.LAYOUT_SUM)
                        .windowedRules("testrules.LayoutSum")
                        .bytes();
        windowedSum =
                RuleJarBuilder.jar("windowed")
                        .source(TestingRuleJars.WINDOWED_SUM)
                        .windowedRules("testrules.WindowedSum")
                        .bytes();
        threshold =
                RuleJarBuilder.jar("threshold")
                        .source(TestingRuleJars.THRESHOLD)
                        .rules("testrules.Threshold")
                        .bytes();
    }

    @Test
    void aSessionRestoredAtAnyBarrierGoesOnAsTheUninterruptedOne() throws Exception {
        Map<Case, Integer> cases = new HashMap<>();
        int restoredKeys = 0;
        int resultsAfterRestore = 0;
        int oldVersionAfterSwap = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random random = new Random(seed * 104_729);
            Case c = Case.values()[(int) (seed % Case.values().length)];
            Plan plan = new Plan(new RandomStream(seed + 9000), random);
            String what = "seed " + seed + ", " + c + ", restored at barrier " + plan.restoreAt;

            Run uninterrupted;
            try (Sidecar reference = new Sidecar(dir.resolve("reference-" + seed), c, false)) {
                uninterrupted = reference.run(plan, 0, plan.steps.size(), 0);
            }
            try (Sidecar first = new Sidecar(dir.resolve("first-" + seed), c, false)) {
                int cut = plan.indexOfBarrier(plan.restoreAt) + 1;
                Run failed =
                        first.run(
                                plan,
                                0,
                                Math.min(plan.steps.size() - 1, cut + random.nextInt(3)),
                                0);
                Map<String, ByteString> state = failed.stateAt.get(plan.restoreAt);
                assertThat(state)
                        .as(what + ": the state at N")
                        .isEqualTo(uninterrupted.stateAt.get(plan.restoreAt));

                Sidecar second =
                        c == Case.OTHER_LAYOUT || c == Case.SAME_LAYOUT
                                ? first
                                : new Sidecar(dir.resolve("second-" + seed), c, true);
                try {
                    Run restored = second.restore(plan, cut, state, random);
                    assertThat(restored.errors).as(what + ": errors").isEmpty();
                    sameAnswers(what, uninterrupted.answersAfter(cut), restored.answers);
                    assertThat(restored.acks)
                            .as(what + ": versions at each later barrier")
                            .isEqualTo(uninterrupted.acksAfter(plan.restoreAt));
                    for (Map.Entry<Long, Map<String, ByteString>> later :
                            restored.stateAt.entrySet()) {
                        assertThat(later.getValue())
                                .as(what + ": state at barrier " + later.getKey())
                                .isEqualTo(uninterrupted.stateAt.get(later.getKey()));
                    }
                    restoredKeys += state.size();
                    resultsAfterRestore += restored.answers.stream().mapToInt(List::size).sum();
                    if (c == Case.OTHER_LAYOUT) {
                        oldVersionAfterSwap +=
                                (int)
                                        restored.answers.stream()
                                                .flatMap(List::stream)
                                                .filter(r -> r.startsWith("sum@1+"))
                                                .count();
                    }
                } finally {
                    if (second != first) {
                        second.close();
                    }
                }
            }
            cases.merge(c, 1, Integer::sum);
        }
        assertThat(cases).hasSize(Case.values().length);
        assertThat(restoredKeys).isGreaterThan(150);
        assertThat(resultsAfterRestore).isGreaterThan(2000);
        assertThat(oldVersionAfterSwap)
                .as("windows restored under the version that finishes them")
                .isGreaterThan(10);
    }

    /**
     * Compares batch by batch, naming the first batch and line that differ (the whole lists are
     * long).
     */
    private static void sameAnswers(
            String what, List<List<String>> expected, List<List<String>> actual) {
        for (int batch = 0; batch < Math.min(expected.size(), actual.size()); batch++) {
            List<String> e = expected.get(batch);
            List<String> a = actual.get(batch);
            for (int line = 0; line < Math.min(e.size(), a.size()); line++) {
                assertThat(a.get(line))
                        .as("%s: batch %d after barrier N, line %d", what, batch, line)
                        .isEqualTo(e.get(line));
            }
            assertThat(a).as("%s: batch %d after barrier N", what, batch).isEqualTo(e);
        }
        assertThat(actual).as(what + ": batches after barrier N").hasSameSizeAs(expected);
    }

    /** The stream cut into batches and barriers; which barrier the second run restores from. */
    private static final class Plan {
        final RandomStream stream;
        final List<Object> steps =
                new ArrayList<>(); // int[] {first, last} event ranges, or Long barrier ids
        final long restoreAt;

        /** Whether the client sends CheckpointCompleted (optional in the protocol). */
        final boolean completions;

        Plan(RandomStream stream, Random random) {
            this.stream = stream;
            this.completions = random.nextBoolean();
            List<Long> barriers = new ArrayList<>();
            long checkpoint = 0;
            int first = 0;
            while (first < stream.size()) {
                int last = Math.min(stream.size() - 1, first + random.nextInt(40));
                steps.add(new int[] {first, last});
                first = last + 1;
                if (first < stream.size() && random.nextInt(3) == 0) {
                    checkpoint += 1 + random.nextInt(2);
                    steps.add(checkpoint);
                    barriers.add(checkpoint);
                }
            }
            if (barriers.isEmpty()) {
                steps.add(1, 1L);
                barriers.add(1L);
            }
            restoreAt = barriers.get(random.nextInt(barriers.size()));
        }

        int indexOfBarrier(long id) {
            return steps.indexOf(id);
        }

        /**
         * The batch of step {@code index}, with sequence {@code sequence}; the last one ends with
         * the final watermark.
         */
        EventBatch batch(int index, long sequence) {
            int[] range = (int[]) steps.get(index);
            EventBatchWriter writer = new EventBatchWriter();
            for (int i = range[0]; i <= range[1]; i++) {
                writer.add(stream.events.get(i));
                if (stream.watermarkAfter[i] != RandomStream.NONE) {
                    writer.watermarkAfterEvents(stream.watermarkAfter[i]);
                }
            }
            boolean last = range[1] == stream.size() - 1;
            return writer.build(sequence, last, last ? Long.MAX_VALUE : 0);
        }

        /** The last watermark forwarded before step {@code index}, or {@link RandomStream#NONE}. */
        long watermarkBefore(int index) {
            long watermark = RandomStream.NONE;
            for (int s = 0; s < index; s++) {
                if (steps.get(s) instanceof int[]) {
                    int[] range = (int[]) steps.get(s);
                    for (int i = range[0]; i <= range[1]; i++) {
                        if (stream.watermarkAfter[i] != RandomStream.NONE) {
                            watermark = stream.watermarkAfter[i];
                        }
                    }
                }
            }
            return watermark;
        }
    }

    /**
     * What a session answered: per batch step its results, per barrier its acknowledged versions
     * and the state so far.
     */
    private static final class Run {
        final Map<Integer, List<String>> answersByStep = new TreeMap<>();
        final List<List<String>> answers = new ArrayList<>();
        final Map<Long, List<String>> ackByBarrier = new TreeMap<>();
        final List<String> acks = new ArrayList<>();
        final Map<Long, Map<String, ByteString>> stateAt = new TreeMap<>();
        final List<String> errors = new ArrayList<>();
        final Map<String, ByteString> state = new TreeMap<>();

        List<List<String>> answersAfter(int step) {
            return answersByStep.entrySet().stream()
                    .filter(e -> e.getKey() >= step)
                    .map(Map.Entry::getValue)
                    .collect(Collectors.toList());
        }

        List<String> acksAfter(long checkpoint) {
            return ackByBarrier.entrySet().stream()
                    .filter(e -> e.getKey() > checkpoint)
                    .flatMap(e -> e.getValue().stream())
                    .collect(Collectors.toList());
        }

        /**
         * Takes the answers of one step: results of a batch, or deltas and the acknowledgement of a
         * barrier.
         */
        void take(int step, List<ServerMessage> messages) {
            for (ServerMessage message : messages) {
                switch (message.getKindCase()) {
                    case RESULTS:
                        List<String> lines = describe(message.getResults());
                        answersByStep.put(step, lines);
                        answers.add(lines);
                        break;
                    case STATE_DELTA:
                        for (KeyState key : message.getStateDelta().getKeysList()) {
                            if (key.getState().isEmpty()) {
                                state.remove(key.getKey());
                            } else {
                                state.put(key.getKey(), key.getState());
                            }
                        }
                        break;
                    case CHECKPOINT_ACK:
                        long id = message.getCheckpointAck().getCheckpointId();
                        List<String> versions =
                                message.getCheckpointAck().getRulesList().stream()
                                        .map(r -> id + " " + r.getId() + "@" + r.getVersion())
                                        .collect(Collectors.toList());
                        ackByBarrier.put(id, versions);
                        acks.addAll(versions);
                        stateAt.put(id, new TreeMap<>(state));
                        break;
                    case WELCOME:
                        break;
                    case ERROR:
                        errors.add(
                                message.getError().getCode()
                                        + ": "
                                        + message.getError().getMessage());
                        break;
                    default:
                        errors.add("unexpected " + message.getKindCase());
                }
            }
        }

        /** A batch's answer without its sequence number, rules by id and version. */
        static List<String> describe(ResultBatch answer) {
            List<String> lines = new ArrayList<>();
            List<RuleRef> rules = answer.getRulesList();
            answer.getResultsList()
                    .forEach(
                            r ->
                                    lines.add(
                                            ref(rules, r.getRule())
                                                    + " "
                                                    + r.toBuilder()
                                                            .clearRule()
                                                            .build()
                                                            .toString()
                                                            .replace('\n', ' ')));
            answer.getLateEventsList()
                    .forEach(
                            l ->
                                    lines.add(
                                            "late "
                                                    + l.getEventIndex()
                                                    + " "
                                                    + ref(rules, l.getRule())));
            answer.getDeadLettersList()
                    .forEach(
                            d ->
                                    lines.add(
                                            "dead "
                                                    + d.getEventIndex()
                                                    + " "
                                                    + ref(rules, d.getRule())
                                                    + " "
                                                    + d.getReason()));
            return lines;
        }

        private static String ref(List<RuleRef> rules, int index) {
            return rules.get(index).getId() + "@" + rules.get(index).getVersion();
        }
    }

    /** A sidecar in process: a registry with the test's rules, sessions on embedded channels. */
    private static final class Sidecar implements AutoCloseable {
        final ArtifactStore store;
        final RuleRegistry registry;
        final Sessions sessions;
        final Case c;

        /**
         * @param restoredOnly a fresh sidecar for the restored session: the rules as they are at
         *     barrier N
         */
        Sidecar(Path dir, Case c, boolean restoredOnly) throws IOException {
            this.c = c;
            this.store = ArtifactStore.open(dir);
            this.registry = new RuleRegistry(store, loader -> {}, 3, System::currentTimeMillis);
            this.sessions = new Sessions(registry, Runnable::run, 1 << 24, 1 << 20, "test");
            deploy(
                    "sum.jar",
                    layoutSum,
                    c == Case.SAME_LAYOUT_FRESH_SIDECAR && restoredOnly ? V2_SAME_LAYOUT : V1,
                    0);
            deploy(
                    "sliding.jar",
                    windowedSum,
                    "{\"window\": {\"type\": \"sliding\", \"size\": \"3s\", \"slide\": \"1s\"}, \"version\": \"1\"}",
                    0);
            deploy(
                    "session.jar",
                    windowedSum,
                    "{\"window\": {\"type\": \"session\", \"gap\": \"700ms\"}, \"allowed_lateness_ms\": 2000, "
                            + "\"version\": \"1\"}",
                    0);
            deploy("threshold.jar", threshold, "{\"limit\": 500, \"version\": \"1\"}", 0);
        }

        void deploy(String file, byte[] jar, String config, long atCheckpoint) {
            DeployOutcome outcome =
                    registry.deploy(
                            file,
                            jar,
                            config.getBytes(StandardCharsets.UTF_8),
                            "admin " + file,
                            atCheckpoint);
            assertThat(outcome.ok()).as(outcome.message()).isTrue();
        }

        /**
         * Runs steps {@code from..to-1} of the plan in a new session (a swap staged for barrier N),
         * completing each checkpoint.
         */
        Run run(Plan plan, int from, int to, long restoredFrom) {
            Run run = new Run();
            EmbeddedChannel channel =
                    new EmbeddedChannel(
                            new SidecarChannelInitializer(1 << 24, sessions::newSession));
            run.take(-1, send(channel, hello(restoredFrom)));
            if (c != Case.NO_SWAP) {
                deploy(
                        "sum.jar",
                        layoutSum,
                        c == Case.OTHER_LAYOUT ? V2_OTHER_LAYOUT : V2_SAME_LAYOUT,
                        plan.restoreAt);
            }
            steps(plan, from, to, 1, channel, run);
            channel.close();
            return run;
        }

        /** A new session restored from barrier N with {@code state}, then the steps after it. */
        Run restore(Plan plan, int cut, Map<String, ByteString> state, Random random) {
            Run run = new Run();
            run.state.putAll(state);
            EmbeddedChannel channel =
                    new EmbeddedChannel(
                            new SidecarChannelInitializer(1 << 24, sessions::newSession));
            run.take(-1, send(channel, hello(plan.restoreAt)));
            List<KeyState> keys = new ArrayList<>();
            state.forEach(
                    (key, bytes) ->
                            keys.add(KeyState.newBuilder().setKey(key).setState(bytes).build()));
            for (int i = 0; i < keys.size(); ) {
                int n = 1 + random.nextInt(50);
                List<KeyState> chunk = keys.subList(i, Math.min(keys.size(), i + n));
                run.take(
                        -1,
                        send(
                                channel,
                                ClientMessage.newBuilder()
                                        .setStateRestore(
                                                StateRestore.newBuilder().addAllKeys(chunk))
                                        .build()));
                i += chunk.size();
            }
            long sequence = 1;
            long watermark = plan.watermarkBefore(cut);
            if (watermark != RandomStream.NONE) {
                List<ServerMessage> answer =
                        send(
                                channel,
                                events(new EventBatchWriter().build(sequence++, true, watermark)));
                assertThat(answer)
                        .singleElement()
                        .satisfies(m -> assertThat(Run.describe(m.getResults())).isEmpty());
            }
            steps(plan, cut, plan.steps.size(), sequence, channel, run);
            channel.close();
            return run;
        }

        private void steps(
                Plan plan, int from, int to, long sequence, EmbeddedChannel channel, Run run) {
            for (int step = from; step < to; step++) {
                Object s = plan.steps.get(step);
                if (s instanceof Long) {
                    run.take(step, send(channel, barrier((Long) s)));
                    if (plan.completions) {
                        run.take(step, send(channel, completed((Long) s)));
                    }
                } else {
                    run.take(step, send(channel, events(plan.batch(step, sequence++))));
                }
            }
        }

        private static ClientMessage hello(long restoredFrom) {
            Hello hello =
                    TestingFrames.hello(true, restoredFrom).getHello().toBuilder()
                            .setKeyedState(true)
                            .build();
            return ClientMessage.newBuilder().setHello(hello).build();
        }

        private static List<ServerMessage> send(EmbeddedChannel channel, ClientMessage message) {
            channel.writeInbound(Unpooled.wrappedBuffer(TestingFrames.frame(message)));
            channel.runPendingTasks();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                buf.release();
                out.writeBytes(bytes);
            }
            try {
                return TestingFrames.parse(out.toByteArray());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            registry.close();
            store.close();
        }
    }

    /** The config of a version of the swapped rule: tumbling 2 s windows, 1.5 s lateness. */
    private static String sum(String version, String layout, int bonus) {
        return "{\"window\": {\"type\": \"tumbling\", \"size\": \"2s\"}, \"allowed_lateness_ms\": 1500, \"version\": \""
                + version
                + "\", \"layout\": \""
                + layout
                + "\", \"bonus\": "
                + bonus
                + "}";
    }
}
