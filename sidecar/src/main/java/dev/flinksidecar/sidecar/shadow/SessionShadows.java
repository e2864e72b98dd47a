package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.rules.running.RuleWatchdog;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shadows of one session: which candidates it runs beside its active versions, started at the
 * session's next checkpoint barrier after their {@code admin shadow} (at its next batch when the
 * session sends no barriers), and stopped when they are dropped, promoted (at the barrier where the
 * candidate becomes active), or quarantined.
 *
 * <p>At the barrier where a windowed candidate is promoted, its shadow here hands its windows to
 * the session's engine, which runs the candidate from then on ({@link RuleEngine#takeWindowsOf}).
 *
 * <p>Threads: every method on the session's rule thread, after the session's own work on the same
 * batch or barrier, so the active version's answer is never held back by a shadow; only at a
 * windowed candidate's promote barrier does the session wait, at most the candidate's batch budget,
 * for its shadow to run the batches still queued.
 */
public final class SessionShadows {

    private static final Logger LOG = LoggerFactory.getLogger(SessionShadows.class);

    private final Shadows shadows;
    private final String session;
    private final boolean barriers;
    private final RuleWatchdog watchdog;
    private final Consumer<ShadowReport> reports;
    private final Map<String, SessionShadow> running = new HashMap<>();

    /** The {@link Shadows#generation()} this session last looked at (sessions without barriers). */
    private long seen = -1;

    SessionShadows(
            Shadows shadows,
            String session,
            boolean barriers,
            RuleWatchdog watchdog,
            Consumer<ShadowReport> reports) {
        this.shadows = shadows;
        this.session = session;
        this.barriers = barriers;
        this.watchdog = watchdog;
        this.reports = reports;
    }

    /**
     * The session answered {@code batch} with {@code answer}: hands both to every shadow running (a
     * session without barriers first starts and stops shadows here).
     */
    public void batch(EventBatchColumns batch, ResultBatch answer) {
        if (!barriers && shadows.generation() != seen) {
            seen = shadows.generation();
            update(Long.MAX_VALUE, null);
        }
        if (running.isEmpty()) {
            return;
        }
        for (Iterator<SessionShadow> it = running.values().iterator(); it.hasNext(); ) {
            SessionShadow shadow = it.next();
            if (shadow.stopped()) {
                it.remove();
                continue;
            }
            shadow.offer(batch, answer);
        }
    }

    /**
     * The session passed the barrier of checkpoint {@code checkpointId}: {@code engine} switched to
     * the versions activated there, and has not yet written its state for that checkpoint. A
     * windowed candidate promoted at this barrier hands its windows to {@code engine} here.
     */
    public void barrier(long checkpointId, RuleEngine engine) {
        update(checkpointId, engine);
    }

    /**
     * Stops the shadows that ended or that a promote activated by checkpoint {@code checkpointId}
     * (handing a promoted candidate's windows to {@code engine}, when given), and starts the
     * candidates this session does not run yet.
     */
    private void update(long checkpointId, RuleEngine engine) {
        for (Iterator<Map.Entry<String, SessionShadow>> it = running.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, SessionShadow> each = it.next();
            ShadowCandidate candidate = shadows.candidate(each.getKey());
            SessionShadow shadow = each.getValue();
            ShadowCandidate mine = shadow.candidate();
            if (engine != null
                    && mine.promotedAt() != 0
                    && mine.promotedAt() <= checkpointId
                    && !mine.isQuarantined()) {
                handOver(shadow, engine);
                it.remove();
            } else if (candidate == null
                    || candidate != shadow.candidate()
                    || candidate.isQuarantined()
                    || candidate.ended()
                    || (candidate.promotedAt() != 0 && candidate.promotedAt() <= checkpointId)) {
                shadow.stop();
                it.remove();
            }
        }
        for (ShadowCandidate candidate : shadows.candidates()) {
            if (!running.containsKey(candidate.id)
                    && !candidate.ended()
                    && !candidate.isQuarantined()
                    && candidate.promotedAt() == 0) {
                running.put(
                        candidate.id,
                        new SessionShadow(
                                candidate,
                                session,
                                shadows.queueBatches(),
                                shadows.budgetNanos(candidate),
                                watchdog,
                                reports));
            }
        }
    }

    /**
     * At the barrier where {@code shadow}'s candidate became the active version: once the shadow
     * ran every batch before the barrier, its windows become the windows of that version in {@code
     * engine}, and the previous version's open windows are dropped. When the shadow skipped a batch
     * here, was quarantined, could not catch up within its batch budget, or the engine did not
     * switch to it at this barrier, nothing is handed over: the previous version finishes its open
     * windows, as after any windowed deploy.
     */
    private void handOver(SessionShadow shadow, RuleEngine engine) {
        ShadowCandidate candidate = shadow.candidate();
        if (!candidate.windowed()) {
            shadow.stop();
            return;
        }
        String[] refused = new String[1];
        String notDrained =
                shadow.drain(
                        shadows.budgetNanos(candidate),
                        shadowEngine ->
                                refused[0] =
                                        engine.takeWindowsOf(
                                                candidate.id,
                                                candidate.version.version(),
                                                shadowEngine));
        String why = notDrained != null ? notDrained : refused[0];
        if (why == null) {
            LOG.info(
                    "{}: rule {} {} took over the windows of its shadow at the promote",
                    session,
                    candidate.id,
                    candidate.version.version());
        } else {
            LOG.warn(
                    "{}: rule {} {}: the shadow's windows are not handed over at the promote ({});"
                            + " the version before finishes its open windows",
                    session,
                    candidate.id,
                    candidate.version.version(),
                    why);
        }
    }

    /** The session closed: stops every shadow. */
    public void close() {
        running.values().forEach(SessionShadow::stop);
        running.clear();
    }
}
