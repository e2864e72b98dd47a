package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.ShadowDifference;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.sidecar.rules.running.FixedFeed;
import dev.flinksidecar.sidecar.rules.running.Quarantines;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.rules.running.RuleWatchdog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One candidate in shadow in one session: its own {@link RuleEngine} (the candidate's version only,
 * its own quarantines) on its own thread, fed the session's batches through a bounded queue. For
 * each batch it runs the candidate, compares its results with the active version's ({@link
 * ResultComparison}), counts the outcomes in the {@link ShadowCandidate} and hands the differences,
 * within the rule's rate limit, to the session's report sink.
 *
 * <pre>
 *   session rule thread:  offer(batch, active answer) --queue full--> skipped (counted)
 *                                  |
 *   shadow thread:        engine.process(batch) -> compare -> count -> ShadowReport -> sink
 * </pre>
 *
 * <p>Nothing the candidate does reaches the active version: its exceptions and quarantine stay in
 * its engine, its time is its thread's, and the session never waits for it (a full queue skips the
 * batch). The session's {@link RuleWatchdog} holds it to its budget like any rule: past it, it is
 * quarantined in its own table and stops shadowing.
 *
 * <p>At the barrier where the candidate is promoted the session {@link #drain}s it: the shadow
 * thread runs the batches still queued and ends, and the session thread takes its engine, whose
 * windows become the active version's ({@link SessionShadows}).
 *
 * <p>Threads: {@link #offer}, {@link #stop} and {@link #drain} on the session's rule thread; the
 * rest on the shadow's own thread (its engine on the session thread once drained).
 */
final class SessionShadow {

    private static final Logger LOG = LoggerFactory.getLogger(SessionShadow.class);

    private final ShadowCandidate candidate;
    private final String session;
    private final String name;
    private final ThreadPoolExecutor thread;
    private final Consumer<ShadowReport> reports;
    private final RuleWatchdog watchdog;
    private final long budgetNanos;

    /** The candidate's engine: the shadow thread's only. */
    private RuleEngine engine;

    /** No batch is offered any more (stopped, draining, or the candidate failed to open). */
    private volatile boolean stopped;

    /** Set by {@link #stop}: batches still queued are not run. */
    private volatile boolean cancelled;

    /** Batches this session skipped for this shadow (session thread only). */
    private long skippedHere;

    /**
     * Who closes the engine once the shadow thread ends: the shadow thread ({@link #OWN}), or the
     * session thread that takes it over at a promote ({@link #WANTED} until the thread ended,
     * {@link #TAKEN} then), unless the session gave up waiting ({@link #GIVEN_UP}).
     */
    private final AtomicInteger handOver = new AtomicInteger(OWN);

    private static final int OWN = 0;
    private static final int WANTED = 1;
    private static final int TAKEN = 2;
    private static final int GIVEN_UP = 3;

    SessionShadow(
            ShadowCandidate candidate,
            String session,
            int queueBatches,
            long budgetNanos,
            RuleWatchdog watchdog,
            Consumer<ShadowReport> reports) {
        this.candidate = candidate;
        this.session = session;
        this.name = session + "-shadow-" + candidate.id;
        this.budgetNanos = budgetNanos;
        this.watchdog = watchdog;
        this.reports = reports;
        this.thread =
                new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(Math.max(1, queueBatches)),
                        r -> {
                            Thread t = new Thread(r, "sidecar-" + name);
                            t.setDaemon(true);
                            return t;
                        }) {
                    @Override
                    protected void terminated() {
                        ended();
                    }
                };
        candidate.sessions.incrementAndGet();
        candidate.gate.started(session);
        thread.execute(this::open);
    }

    /**
     * Session thread: hands the batch and the active version's answer to the shadow thread; when
     * its queue is full the batch is skipped and counted, never waited for.
     */
    void offer(EventBatchColumns batch, ResultBatch active) {
        if (stopped) {
            return;
        }
        try {
            thread.execute(() -> run(batch, active));
        } catch (RejectedExecutionException e) {
            skippedHere++;
            candidate.skipped(session);
        }
    }

    /** Session thread: stops; the engine closes on the shadow thread after the batch it runs. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        cancelled = true;
        thread.getQueue().clear();
        thread.shutdown(); // the engine closes as the thread ends (terminated)
    }

    /**
     * Session thread, at the barrier where the candidate becomes the active version: stops taking
     * batches and waits, at most {@code timeoutNanos}, for the shadow thread to run every batch
     * queued (all those before the barrier) and end. Then the engine is the session thread's: it
     * hands it to {@code use} and closes it. When the shadow skipped a batch in this session, was
     * quarantined or failed to open, or the wait runs out, {@code use} is not called and the shadow
     * stops as with {@link #stop}.
     *
     * @return null when {@code use} was given the engine; else why not
     */
    String drain(long timeoutNanos, Consumer<RuleEngine> use) {
        if (stopped) {
            return "the shadow had stopped";
        }
        if (skippedHere > 0) {
            stop();
            return "the shadow skipped " + skippedHere + " batches in this session";
        }
        stopped = true;
        handOver.set(WANTED);
        thread.shutdown(); // the batches queued still run, in order; no new one is taken
        boolean ended;
        try {
            ended = thread.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (handOver.compareAndSet(WANTED, GIVEN_UP)) { // the shadow thread closes the engine
            return ended
                    ? "the shadow had ended"
                    : "the shadow was still running its batches after "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                            + " ms";
        }
        // TAKEN: the shadow thread ended, leaving the engine open; all it did happened before
        try {
            if (engine == null || candidate.isQuarantined()) {
                return "the candidate was quarantined or failed to open";
            }
            use.accept(engine);
            return null;
        } finally {
            close();
        }
    }

    boolean stopped() {
        return stopped;
    }

    ShadowCandidate candidate() {
        return candidate;
    }

    private void open() {
        engine =
                RuleEngine.open(
                        new FixedFeed(List.of(candidate.version)),
                        name,
                        false,
                        candidate.quarantines);
        if (!engine.refusals().isEmpty()) {
            candidate.quarantined("failed to open: " + engine.refusals().get(0).getMessage());
            stopped = true;
            cancelled = true;
            thread.shutdown(); // the engine closes as this thread ends
            return;
        }
        if (watchdog != null) {
            watchdog.watch(engine);
        }
    }

    private void run(EventBatchColumns batch, ResultBatch active) {
        if (cancelled || engine == null || candidate.isQuarantined()) {
            return;
        }
        long started = System.nanoTime();
        ResultBatch mine = engine.process(batch);
        long took = System.nanoTime() - started;
        List<Quarantines.Entry> quarantined = candidate.quarantines.all();
        if (!quarantined.isEmpty()) {
            candidate.quarantined(quarantined.get(0).reason());
            LOG.warn(
                    "{}: candidate {} {} quarantined, it stops shadowing: {}",
                    session,
                    candidate.id,
                    candidate.version.version(),
                    quarantined.get(0).reason());
            return;
        }
        Long watermark = watermarkOf(batch);
        if (watermark != null) {
            candidate.gate.watermark(session, watermark);
        }
        RuleRef activeRef = null;
        List<Result> activeResults = new ArrayList<>();
        for (Result r : active.getResultsList()) {
            RuleRef ref = active.getRules(r.getRule());
            if (ref.getId().equals(candidate.id)) {
                activeRef = ref;
                activeResults.add(r);
            }
        }
        ResultComparison.Outcomes outcomes =
                ResultComparison.compare(activeResults, mine.getResultsList());
        candidate.compared(outcomes);
        if (mine.getDeadLettersCount() > 0) {
            candidate.failed(mine.getDeadLettersCount(), mine.getDeadLetters(0).getReason());
        } else if (took > budgetNanos) {
            candidate.slow("a batch took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
        } else if (batch.size() > 0) {
            candidate.ranClean();
        }
        report(batch.sequence(), activeRef, mine, outcomes.differences());
    }

    private void report(
            long sequence,
            RuleRef activeRef,
            ResultBatch mine,
            List<ResultComparison.Difference> differences) {
        if (differences.isEmpty()) {
            return;
        }
        int admitted = candidate.rateLimit.admit(differences.size());
        int dropped = differences.size() - admitted;
        candidate.dropped.add(dropped);
        RuleRef candidateRef = candidate.version.ref();
        ShadowReport.Builder out =
                ShadowReport.newBuilder()
                        .setRule(candidate.id)
                        .setActiveVersion(activeRef == null ? "" : activeRef.getVersion())
                        .setCandidateVersion(candidateRef.getVersion())
                        .setSequence(sequence)
                        .setDropped(dropped);
        for (int i = 0; i < admitted; i++) {
            ResultComparison.Difference d = differences.get(i);
            Result any = d.active() != null ? d.active() : d.candidate();
            ShadowDifference.Builder line =
                    ShadowDifference.newBuilder()
                            .setOutcome(d.outcome().label())
                            .setKey(any.getKey())
                            .setTime(any.getTime());
            if (any.hasWindow()) {
                line.setWindow(any.getWindow());
            }
            if (d.active() != null) {
                line.setActive(ResultJson.toJson(activeRef, d.active()));
            }
            if (d.candidate() != null) {
                line.setCandidate(ResultJson.toJson(candidateRef, d.candidate()));
            }
            out.addDifferences(line);
        }
        reports.accept(out.build());
    }

    /** The last watermark a batch carries, or null. */
    private static Long watermarkOf(EventBatchColumns batch) {
        if (batch.hasWatermark()) {
            return batch.watermark();
        }
        int n = batch.interimWatermarkCount();
        return n == 0 ? null : batch.interimWatermark(n - 1);
    }

    /**
     * The shadow thread, as it ends: closes the engine, unless the session thread waits to take it
     * over.
     */
    private void ended() {
        if (!handOver.compareAndSet(WANTED, TAKEN)) {
            close();
        }
    }

    private void close() {
        candidate.sessions.decrementAndGet();
        candidate.gate.ended(session);
        if (engine != null) {
            if (watchdog != null) {
                watchdog.unwatch(engine);
            }
            engine.close();
            engine = null;
        }
    }
}
