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
 * <p>Threads: {@link #offer} and {@link #stop} on the session's rule thread; the rest on the
 * shadow's own thread.
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

    private volatile boolean stopped;

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
                        });
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
            candidate.skipped(session);
        }
    }

    /** Session thread: stops; the engine closes on the shadow thread after the batch it runs. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        thread.getQueue().clear();
        try {
            thread.execute(this::close);
        } catch (RejectedExecutionException e) {
            // shut down already
        }
        thread.shutdown();
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
            return;
        }
        if (watchdog != null) {
            watchdog.watch(engine);
        }
    }

    private void run(EventBatchColumns batch, ResultBatch active) {
        if (stopped || engine == null || candidate.isQuarantined()) {
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
