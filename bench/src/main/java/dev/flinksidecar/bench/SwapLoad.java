package dev.flinksidecar.bench;

import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.operator.client.ServerListener;
import dev.flinksidecar.operator.client.SidecarClient;
import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The load of {@link SwapBenchmark}: one session with the sidecar, as one operator subtask holds
 * it, sending event batches on a fixed schedule with at most {@code inFlight} unanswered, and the
 * times of every batch (due, sent, answered; System.nanoTime).
 *
 * <p>Every answer is checked: one result per event and no dead letter (the rule's config makes
 * every event match), exactly one version of the rule in its rule table, versions never going
 * backwards. The first answer naming an awaited version ({@link #await}) marks that swap active.
 *
 * <p>Threads: {@link #drive} runs on the thread that owns the client; {@link #onResults} on the
 * client's reader thread. Each writes only its own lists; the sender reads the reader's only after
 * {@link #drive} returned, which waits for every answer (the semaphore orders the two).
 */
final class SwapLoad implements ServerListener, AutoCloseable {

    /** A batch that waited longer than this for a free in-flight slot is late. */
    static final long LATE = TimeUnit.MILLISECONDS.toNanos(20);

    private final SidecarClient client;
    private final String rule;
    final int batchSize;
    final int inFlight;
    private final Semaphore slots;
    private final EventBatch[] templates;
    final LongList dueAt = new LongList();
    final LongList sentAt = new LongList();
    final LongList answeredAt = new LongList();
    private volatile SwapDeploys.Swap awaited;
    private volatile SidecarSessionException failure;
    private volatile String wrong;
    private int lastMinor = -1;

    private SwapLoad(
            SidecarClient client,
            String rule,
            int batchSize,
            int inFlight,
            EventBatch[] templates) {
        this.client = client;
        this.rule = rule;
        this.batchSize = batchSize;
        this.inFlight = inFlight;
        this.slots = new Semaphore(inFlight);
        this.templates = templates;
    }

    /**
     * Connects and handshakes; the batches are built here, once, so the sender only stamps sequence
     * numbers.
     */
    static SwapLoad open(Path socket, String rule, int batchSize, int inFlight, int keys)
            throws Exception {
        EventBatch[] templates = new EventBatch[16];
        EventBatchWriter writer = new EventBatchWriter();
        for (int t = 0; t < templates.length; t++) {
            for (int i = 0; i < batchSize; i++) {
                writer.add(SyntheticPayments.event((long) t * batchSize + i, keys));
            }
            templates[t] = writer.build(0, false, 0);
            writer.clear();
        }
        SidecarClient client = SidecarClient.connect(socket, Duration.ofSeconds(10));
        try {
            client.handshake(
                    BenchSidecar.hello("swap-benchmark"), 16 << 20, Duration.ofSeconds(10));
        } catch (IOException e) {
            client.close();
            throw e;
        }
        SwapLoad load = new SwapLoad(client, rule, batchSize, inFlight, templates);
        client.start(load, "swap-benchmark-reader");
        return load;
    }

    /** Batches sent so far; batch {@code i} has sequence number {@code i + 1}. */
    int sent() {
        return sentAt.size();
    }

    /** Marks {@code swap} active at the first answer whose rule table names its version. */
    void await(SwapDeploys.Swap swap) {
        awaited = swap;
    }

    /**
     * Sends a batch every {@code period} ns (0: as fast as the in-flight slots allow) until {@code
     * stop} says so, then waits for every answer. A batch that finds no free slot waits for one, as
     * the operator stops taking input at its in-flight limit (backpressure). The schedule makes up
     * for small delays (a late wake-up), but after a batch more than {@link #LATE} late it starts
     * again from that batch, with no burst to catch up.
     */
    void drive(long period, BooleanSupplier stop) throws IOException, InterruptedException {
        for (long due = System.nanoTime(); !stop.getAsBoolean(); ) {
            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                fail("no answer for 30 s");
            }
            failIfWrong();
            long sequence = sentAt.size() + 1;
            EventBatch batch =
                    templates[(int) (sequence % templates.length)].toBuilder()
                            .setSequence(sequence)
                            .build();
            long now = System.nanoTime();
            dueAt.add(period == 0 ? now : due);
            sentAt.add(now);
            client.send(ClientMessage.newBuilder().setEvents(batch).build());
            due = now - due > LATE ? now + period : due + period;
        }
        if (!slots.tryAcquire(inFlight, 30, TimeUnit.SECONDS)) {
            fail("batches still unanswered 30 s after the last was sent");
        }
        slots.release(inFlight);
        failIfWrong();
    }

    /** Events/s from the send of batch {@code from} to the answer of batch {@code to - 1}. */
    double rate(int from, int to) {
        return (double) (to - from) * batchSize * 1e9 / (answeredAt.get(to - 1) - sentAt.get(from));
    }

    /** The longest that a batch from {@code from} to {@code to - 1} waited for a free slot, ns. */
    long maxLate(int from, int to) {
        long late = 0;
        for (int i = from; i < to; i++) {
            late = Math.max(late, sentAt.get(i) - dueAt.get(i));
        }
        return late;
    }

    /**
     * The share of the batches from {@code from} to {@code to - 1} that waited longer than {@link
     * #LATE} for a free slot.
     */
    double lateShare(int from, int to) {
        int late = 0;
        for (int i = from; i < to; i++) {
            late += sentAt.get(i) - dueAt.get(i) > LATE ? 1 : 0;
        }
        return to > from ? late / (double) (to - from) : 0;
    }

    @Override
    public void onResults(ResultBatch batch) {
        long now = System.nanoTime();
        if (batch.getSequence() != answeredAt.size() + 1) {
            wrong =
                    "answer "
                            + batch.getSequence()
                            + " came when "
                            + (answeredAt.size() + 1)
                            + " was due";
        } else if (batch.getResultsCount() != batchSize || batch.getDeadLettersCount() > 0) {
            wrong =
                    "batch "
                            + batch.getSequence()
                            + " gave "
                            + batch.getResultsCount()
                            + " results and "
                            + batch.getDeadLettersCount()
                            + " dead letters for "
                            + batchSize
                            + " events";
        }
        answeredAt.add(now);
        checkVersion(batch, now);
        slots.release();
    }

    /** Versions are 1.0.N+hash; N only grows. */
    private void checkVersion(ResultBatch batch, long now) {
        List<RuleRef> refs =
                batch.getRulesList().stream().filter(r -> r.getId().equals(rule)).toList();
        if (refs.size() != 1) {
            wrong =
                    "batch "
                            + batch.getSequence()
                            + " ran "
                            + refs.size()
                            + " versions of "
                            + rule
                            + ": "
                            + refs;
            return;
        }
        String version = refs.get(0).getVersion();
        int minor = Integer.parseInt(version.substring("1.0.".length(), version.indexOf('+')));
        if (minor < lastMinor) {
            wrong = "batch " + batch.getSequence() + " ran " + version + " after 1.0." + lastMinor;
        }
        lastMinor = minor;
        SwapDeploys.Swap swap = awaited;
        if (swap != null && swap.active == 0 && version.startsWith(swap.version + "+")) {
            swap.firstBatch = answeredAt.size() - 1;
            swap.active = now;
            swap.seen.countDown();
        }
    }

    @Override
    public void onCheckpointAck(CheckpointAck ack) {}

    @Override
    public void onFailure(SidecarSessionException cause) {
        failure = cause;
        slots.release(inFlight); // wakes the sender, which then reports the failure
    }

    private void failIfWrong() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (wrong != null) {
            throw new IOException("wrong answer from the sidecar: " + wrong);
        }
    }

    private void fail(String what) throws IOException {
        failIfWrong();
        throw new IOException(what + " (" + sentAt.size() + " batches sent)");
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    /** A growable list of longs, written by one thread. */
    static final class LongList {
        private long[] values = new long[1 << 16];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }
}
