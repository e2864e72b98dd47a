package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.sidecar.rules.running.RuleWatchdog;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The shadows of one session: which candidates it runs beside its active versions, started at the
 * session's next checkpoint barrier after their {@code admin shadow} (at its next batch when the
 * session sends no barriers), and stopped when they are dropped, promoted (at the barrier where the
 * candidate becomes active), or quarantined.
 *
 * <p>Threads: every method on the session's rule thread, after the session's own work on the same
 * batch or barrier, so the active version's answer is never held back by a shadow.
 */
public final class SessionShadows {

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
            update(Long.MAX_VALUE);
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

    /** The session passed the barrier of checkpoint {@code checkpointId}. */
    public void barrier(long checkpointId) {
        update(checkpointId);
    }

    /**
     * Stops the shadows that ended or that a promote activated by checkpoint {@code checkpointId},
     * and starts the candidates this session does not run yet.
     */
    private void update(long checkpointId) {
        for (Iterator<Map.Entry<String, SessionShadow>> it = running.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, SessionShadow> each = it.next();
            ShadowCandidate candidate = shadows.candidate(each.getKey());
            SessionShadow shadow = each.getValue();
            if (candidate == null
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

    /** The session closed: stops every shadow. */
    public void close() {
        running.values().forEach(SessionShadow::stop);
        running.clear();
    }
}
