package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.client.SidecarUnavailableException;
import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.StateDelta;
import dev.flinksidecar.proto.WindowFiring;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An in-process {@link SidecarRunner} for operator tests. Its "rule" answers every event with one
 * result {@code {"rule":"echo","version":"1",...,"batch":SEQ}}, except events of type {@code
 * "quiet"} (no result), {@code "poison"} (a dead letter) and {@code "late"} (a late event). With
 * {@link #firingOnWatermarks()}, every watermark W also fires a window {@code [W-9, W+1)} of key
 * {@code "window"}, as a windowed rule's watermark firing (its {@code event_index} is the number of
 * events before the watermark).
 *
 * <p>Replies are either held until the test calls {@link #release(int)} (from any thread, like a
 * socket reader would), or, in async mode, sent at once from a thread of its own.
 */
public final class TestingSidecarRunner implements SidecarRunner {

    private static final Map<String, TestingSidecarRunner> REGISTRY = new ConcurrentHashMap<>();
    private static final RuleRef ECHO = RuleRef.newBuilder().setId("echo").setVersion("1").build();

    /** A batch as the runner received it. */
    public record Sent(long sequence, List<EventRecord> events, List<Mark> watermarks) {

        /** Whether the batch carries a watermark. */
        public boolean hasWatermark() {
            return !watermarks.isEmpty();
        }

        /** Its last watermark. */
        public long watermark() {
            return watermarks.get(watermarks.size() - 1).watermark();
        }
    }

    /** A watermark in a batch, after {@code position} of its events. */
    public record Mark(int position, long watermark) {}

    private final String id = UUID.randomUUID().toString();
    private final boolean async;
    private final ExecutorService replier;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();
    private final List<EventRecord> open = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private volatile boolean firing;
    private volatile ReplyHandler handler;
    private volatile Hello hello;
    private final List<Sent> sinceAck = new ArrayList<>();
    private long awaitedBarrier;
    private volatile List<KeyState> changesAtNextBarrier = List.of();
    private final List<List<KeyState>> restores = new CopyOnWriteArrayList<>();
    private final List<OptionalLong> restoreWatermarks = new CopyOnWriteArrayList<>();
    private ResendLog resend = new ResendLog(Long.MAX_VALUE);
    private volatile String unavailable;
    private volatile boolean divergeOnResend;
    private volatile boolean finished;
    private volatile boolean closed;
    private volatile int maxOutstanding;
    private int replied;
    private long sequence;

    private TestingSidecarRunner(boolean async) {
        this.async = async;
        this.replier =
                async
                        ? Executors.newSingleThreadExecutor(r -> new Thread(r, "testing-replier"))
                        : null;
        REGISTRY.put(id, this);
    }

    /** Replies wait for {@link #release}. */
    public static TestingSidecarRunner manual() {
        return new TestingSidecarRunner(false);
    }

    /** Replies come at once from the runner's own thread. */
    public static TestingSidecarRunner async() {
        return new TestingSidecarRunner(true);
    }

    /** Makes every watermark fire a window (see the class comment); returns this. */
    public TestingSidecarRunner firingOnWatermarks() {
        firing = true;
        return this;
    }

    /** A serializable factory that hands out this runner. */
    public SidecarRunnerFactory factory() {
        String key = id;
        return options -> REGISTRY.get(key);
    }

    @Override
    public SessionInfo open(Hello.Builder hello, ReplyHandler handler) {
        this.handler = handler;
        this.hello = hello.build();
        log.add("open " + hello.getSubtaskIndex());
        return new SessionInfo("testing", "session-1", List.of(ECHO), 1 << 20);
    }

    @Override
    public void process(EventRecord event) {
        open.add(event);
    }

    @Override
    public int batchSize() {
        return open.size();
    }

    @Override
    public long batchBytes() {
        return 100L * open.size();
    }

    @Override
    public void watermark(long watermark) {
        marks.add(new Mark(open.size(), watermark));
    }

    @Override
    public long flush() {
        long seq = ++sequence;
        Sent batch = new Sent(seq, List.copyOf(open), List.copyOf(marks));
        open.clear();
        marks.clear();
        sent.add(batch);
        sinceAck.add(batch);
        resend.batch(seq, new byte[(int) Math.max(1, 100L * batch.events().size())]);
        log.add("send " + seq);
        ResultBatch reply = answer(batch, firing);
        synchronized (this) {
            maxOutstanding = Math.max(maxOutstanding, sent.size() - replied);
        }
        answerLater(() -> deliver(reply));
        return seq;
    }

    /**
     * Answers a barrier with the state changes set by {@link #changesAtNextBarrier} and an
     * acknowledgement naming the echo rule, in order after the batches before it.
     */
    @Override
    public void barrier(long checkpointId) {
        if (!open.isEmpty() || !marks.isEmpty()) {
            throw new IllegalStateException("barrier " + checkpointId + " with an open batch");
        }
        log.add("barrier " + checkpointId);
        awaitedBarrier = checkpointId;
        resend.barrier(new byte[1]);
        acknowledgeLater(checkpointId);
    }

    private void acknowledgeLater(long checkpointId) {
        List<KeyState> changes = changesAtNextBarrier;
        changesAtNextBarrier = List.of();
        CheckpointAck ack =
                CheckpointAck.newBuilder().setCheckpointId(checkpointId).addRules(ECHO).build();
        ReplyHandler to = handler;
        answerLater(
                () -> {
                    if (!changes.isEmpty()) {
                        to.onStateDelta(
                                StateDelta.newBuilder()
                                        .setCheckpointId(checkpointId)
                                        .addAllKeys(changes)
                                        .build());
                    }
                    log.add("ack " + checkpointId);
                    to.onCheckpointAck(ack);
                });
    }

    @Override
    public void checkpointCompleted(long checkpointId) {
        log.add("completed " + checkpointId);
    }

    /** The state changes the sidecar sends with the next barrier's acknowledgement. */
    public TestingSidecarRunner changesAtNextBarrier(List<KeyState> changes) {
        changesAtNextBarrier = List.copyOf(changes);
        return this;
    }

    /**
     * Keeps at most {@code bytes} (100 per event) for a replay, as sidecar.operator.replay-buffer
     * does.
     */
    public TestingSidecarRunner replayBuffer(long bytes) {
        resend = new ResendLog(bytes);
        return this;
    }

    /**
     * Batches sent again to a new session get an answer without results, unlike their first one.
     */
    public void divergeOnResend() {
        divergeOnResend = true;
    }

    /** From now on, reopening fails as if no sidecar came back (null: it succeeds again). */
    public void unavailable(String reason) {
        unavailable = reason;
    }

    @Override
    public void restore(Iterator<KeyState> keys) {
        List<KeyState> all = new ArrayList<>();
        keys.forEachRemaining(all::add);
        restores.add(all);
        restoreWatermarks.add(OptionalLong.empty());
        log.add("restore " + all.size());
    }

    @Override
    public void barrierAcknowledged() {
        sinceAck.clear();
        awaitedBarrier = 0;
        resend.clear();
        log.add("acknowledged");
    }

    @Override
    public ResendLog resendLog() {
        return resend;
    }

    /**
     * A new session: records the state and watermark it was given, then answers again every batch
     * (and the barrier) sent since the last acknowledged barrier, in order.
     */
    @Override
    public SessionInfo reopen(
            Hello.Builder hello,
            ReplyHandler handler,
            Iterator<KeyState> state,
            OptionalLong watermark)
            throws SidecarUnavailableException {
        if (unavailable != null) {
            throw new SidecarUnavailableException(unavailable, null);
        }
        synchronized (this) {
            held.clear(); // the broken session's unsent answers are lost with it
        }
        this.handler = handler;
        this.hello = hello.build();
        List<KeyState> all = new ArrayList<>();
        state.forEachRemaining(all::add);
        restores.add(all);
        restoreWatermarks.add(watermark);
        log.add("reopen " + all.size() + " " + sinceAck.size());
        for (Sent batch : sinceAck) {
            ResultBatch reply =
                    divergeOnResend
                            ? ResultBatch.newBuilder().setSequence(batch.sequence()).build()
                            : answer(batch, firing);
            answerLater(() -> deliver(reply));
        }
        if (awaitedBarrier != 0) {
            acknowledgeLater(awaitedBarrier);
        }
        return new SessionInfo("testing", "session-" + restores.size(), List.of(ECHO), 1 << 20);
    }

    /** The state each restore and reopen handed over, in order. */
    public List<List<KeyState>> restores() {
        return restores;
    }

    /** The watermark each restore and reopen handed over, in order. */
    public List<OptionalLong> restoreWatermarks() {
        return restoreWatermarks;
    }

    private void answerLater(Runnable answer) {
        if (async) {
            replier.execute(answer);
        } else {
            synchronized (this) {
                held.add(answer);
            }
        }
    }

    /**
     * Delivers the next {@code n} held replies (answers to batches and barriers), in order, on the
     * calling thread.
     */
    public void release(int n) {
        for (int i = 0; i < n; i++) {
            Runnable answer;
            synchronized (this) {
                answer = held.poll();
            }
            if (answer == null) {
                throw new IllegalStateException("no reply held");
            }
            answer.run();
        }
    }

    /** Makes the session fail as a broken socket would. */
    public void fail(Throwable cause) {
        handler.onFailure(cause);
    }

    private void deliver(ResultBatch reply) {
        synchronized (this) {
            replied++;
        }
        log.add("reply " + reply.getSequence());
        handler.onReply(reply);
    }

    private static ResultBatch answer(Sent batch, boolean firing) {
        ResultBatch.Builder reply =
                ResultBatch.newBuilder().setSequence(batch.sequence()).addRules(ECHO);
        int mark = 0;
        for (int i = 0; i <= batch.events().size(); i++) {
            for (;
                    mark < batch.watermarks().size()
                            && batch.watermarks().get(mark).position() == i;
                    mark++) {
                if (firing) {
                    long w = batch.watermarks().get(mark).watermark();
                    reply.addResults(
                            Result.newBuilder()
                                    .setRule(0)
                                    .setEventIndex(i)
                                    .setKey("window")
                                    .setTime(w)
                                    .setWindow(
                                            WindowFiring.newBuilder()
                                                    .setStart(w - 9)
                                                    .setEnd(w + 1)
                                                    .setValue(1)
                                                    .setCount(1)
                                                    .setByWatermark(true)));
                }
            }
            if (i == batch.events().size()) {
                break;
            }
            EventRecord event = batch.events().get(i);
            if ("poison".equals(event.type())) {
                reply.addDeadLetters(
                        DeadLetter.newBuilder().setEventIndex(i).setRule(0).setReason("poisoned"));
            } else if ("late".equals(event.type())) {
                reply.addLateEvents(LateEvent.newBuilder().setEventIndex(i).setRule(0));
            } else if (!"quiet".equals(event.type())) {
                reply.addResults(
                        Result.newBuilder()
                                .setRule(0)
                                .setEventIndex(i)
                                .setKey(event.key())
                                .setTime(event.time())
                                .addAttributes(
                                        Attribute.newBuilder()
                                                .setName("batch")
                                                .setLongValue(batch.sequence())));
            }
        }
        return reply.build();
    }

    @Override
    public void finish(String reason) {
        finished = true;
        log.add("goodbye");
    }

    @Override
    public void close() throws IOException {
        closed = true;
        REGISTRY.remove(id);
        if (replier != null) {
            replier.shutdownNow();
            try {
                replier.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The Hello the operator opened the session with. */
    public Hello hello() {
        return hello;
    }

    public List<Sent> sent() {
        return sent;
    }

    public List<String> log() {
        return log;
    }

    public synchronized int held() {
        return held.size();
    }

    public int maxOutstanding() {
        return maxOutstanding;
    }

    public boolean finished() {
        return finished;
    }

    public boolean closed() {
        return closed;
    }
}
