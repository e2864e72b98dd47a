package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.proto.ShadowStatus;
import dev.flinksidecar.sidecar.rules.loading.RuleArtifact;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.rules.running.Quarantines;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One rule's candidate version in shadow, as all sessions share it: the loaded version, its own
 * quarantines (a candidate's quarantine never touches the active version), the exact counts of its
 * comparisons, its rate limit of difference lines, when it may be promoted, and whether it has been
 * promoted or dropped.
 *
 * <p>Threads: thread-safe. Shadow threads count and report, session threads start and stop their
 * shadows, the admin thread reads the status and ends it.
 */
final class ShadowCandidate {

    /** How a candidate stands; the {@code state} of its {@link ShadowStatus}. */
    enum State {
        WAITING,
        RUNNING,
        FAILING,
        SLOW,
        QUARANTINED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final String id;
    final RuleArtifact artifact;
    final RuleVersion version;
    final long sinceMillis;
    final Quarantines quarantines = new Quarantines();
    final DifferenceRateLimit rateLimit;
    final PromoteGate gate;
    final ShadowTotals totals;

    /** Whether one of its windowed rules has gap windows, whose windows are not handed over. */
    final boolean gapWindows;

    final LongAdder agree = new LongAdder();
    final LongAdder added = new LongAdder();
    final LongAdder removed = new LongAdder();
    final LongAdder changed = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder slowBatches = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final AtomicInteger sessions = new AtomicInteger();

    private volatile boolean quarantined;
    private volatile String quarantineReason = "";
    private volatile boolean lastFailed;
    private volatile String failure = "";
    private volatile boolean lastSlow;
    private volatile String slowness = "";

    /**
     * The checkpoint at whose barrier the active version becomes this candidate and the shadow
     * ends; 0 while not promoted.
     */
    private volatile long promotedAt;

    /** Set when the shadow is dropped or promoted: sessions stop running it. */
    private volatile boolean ended;

    ShadowCandidate(
            RuleArtifact artifact,
            RuleVersion version,
            long sinceMillis,
            long windowSpanMillis,
            boolean gapWindows,
            DifferenceRateLimit rateLimit,
            ShadowTotals totals) {
        this.id = version.id();
        this.artifact = artifact;
        this.version = version;
        this.sinceMillis = sinceMillis;
        this.rateLimit = rateLimit;
        this.gate = new PromoteGate(windowSpanMillis);
        this.gapWindows = gapWindows;
        this.totals = totals;
    }

    /** True when it has windowed rules, whose windows it may hand over at its promote. */
    boolean windowed() {
        return gate.span() > 0;
    }

    /** Shadow thread: counts one compared batch. */
    void compared(ResultComparison.Outcomes outcomes) {
        batches.increment();
        agree.add(outcomes.agree());
        added.add(outcomes.added());
        removed.add(outcomes.removed());
        changed.add(outcomes.changed());
        totals.add(outcomes);
    }

    /** Shadow thread: the batch's candidate run threw on {@code events} events, the first so. */
    void failed(int events, String why) {
        failures.add(events);
        failure = why;
        lastFailed = true;
    }

    /** Shadow thread: the batch took the candidate longer than its budget. */
    void slow(String why) {
        slowBatches.increment();
        slowness = why;
        lastSlow = true;
    }

    /** Shadow thread: a batch with events ran without failure, within the budget. */
    void ranClean() {
        lastFailed = false;
        lastSlow = false;
    }

    /** Session thread: a batch was skipped, the candidate's queue being full. */
    void skipped(String session) {
        skipped.increment();
        totals.skipped();
        gate.skipped(session);
    }

    /** The candidate was quarantined: it stops shadowing everywhere. */
    void quarantined(String why) {
        quarantineReason = why;
        quarantined = true;
    }

    boolean isQuarantined() {
        return quarantined;
    }

    /**
     * How it stands: quarantined (stopped), failing (its last batch threw), slow (its last batch
     * was past its budget, or it skipped batches, so its state missed events), running, or waiting
     * (no session runs it yet).
     */
    private State state() {
        if (quarantined) {
            return State.QUARANTINED;
        }
        if (lastFailed) {
            return State.FAILING;
        }
        if (lastSlow || skipped.sum() > 0) {
            return State.SLOW;
        }
        return batches.sum() > 0 || sessions.get() > 0 ? State.RUNNING : State.WAITING;
    }

    private String reason(State state) {
        return switch (state) {
            case QUARANTINED -> quarantineReason;
            case FAILING -> failure;
            case SLOW ->
                    lastSlow
                            ? slowness
                            : skipped.sum() + " batches skipped, its state missed their events";
            default -> "";
        };
    }

    /** Admin thread: the active version becomes this one right after barrier {@code checkpoint}. */
    void promoted(long checkpoint) {
        promotedAt = checkpoint;
    }

    long promotedAt() {
        return promotedAt;
    }

    /** Admin thread: the shadow is dropped (or promoted): sessions stop it at their next chance. */
    void end() {
        ended = true;
    }

    boolean ended() {
        return ended;
    }

    /** The status {@code shadow-status} shows, with the active version it is compared with. */
    ShadowStatus status(String activeVersion) {
        State state = state();
        return ShadowStatus.newBuilder()
                .setRule(id)
                .setCandidateVersion(version.version())
                .setActiveVersion(activeVersion == null ? "" : activeVersion)
                .setSinceMs(sinceMillis)
                .setAgree(agree.sum())
                .setAdded(added.sum())
                .setRemoved(removed.sum())
                .setChanged(changed.sum())
                .setSkippedBatches(skipped.sum())
                .setBatches(batches.sum())
                .setFailures(failures.sum())
                .setSlowBatches(slowBatches.sum())
                .setState(state.label())
                .setReason(reason(state))
                .setPromoteWaitMs(gate.waitMillis())
                .setSessions(sessions.get())
                .setDifferencesDropped(dropped.sum())
                .build();
    }
}
