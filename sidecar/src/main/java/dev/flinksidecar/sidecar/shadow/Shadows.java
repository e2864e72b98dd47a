package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.proto.ShadowReport;
import dev.flinksidecar.proto.ShadowStatus;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;
import dev.flinksidecar.sidecar.deploy.DeployOutcome;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.metrics.VersionMeters;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.RuleArtifact;
import dev.flinksidecar.sidecar.rules.loading.RuleJar;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.rules.running.RuleBudgets;
import dev.flinksidecar.sidecar.rules.running.RuleWatchdog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The candidate versions a running sidecar shadows, one per rule id at most: {@code admin shadow},
 * {@code shadow-status}, {@code promote}, {@code unshadow}, and each session's {@link
 * SessionShadows}.
 *
 * <pre>
 *   shadow(jar)   --validate exactly as a deploy (RuleRegistry.validate)--> refused: nothing changes
 *                 --the rule has an active version?--> candidate (replaces an earlier one)
 *   each session  --next barrier (next batch without barriers)--> runs it beside the active version
 *   promote(rule) --windowed: run for window size + allowed lateness? else TOO_EARLY, time left-->
 *                 deploy of the candidate at the next barrier (RuleRegistry, activation after
 *                 lastBarrier + 1): every session switches there, and stops the shadow there;
 *                 a windowed candidate's windows become the active version's windows there
 *                 (SessionShadows; not for gap windows, nor where the shadow skipped batches)
 *   unshadow      --> dropped; sessions stop it at their next barrier or batch
 * </pre>
 *
 * <p>Shadows live in the sidecar process only: a restart forgets them (they are not in the rules
 * directory), and a restored session starts its candidates afresh at its next barrier.
 *
 * <p>Threads: thread-safe. The admin thread changes the candidates; sessions read them.
 */
public final class Shadows {

    private static final Logger LOG = LoggerFactory.getLogger(Shadows.class);

    private final RuleRegistry registry;
    private final LongSupplier clock;
    private final SidecarMetrics metrics;
    private final Map<String, ShadowCandidate> candidates = new ConcurrentHashMap<>();
    private final Map<String, ShadowTotals> totals = new ConcurrentHashMap<>();
    private final Map<String, byte[][]> bytes = new ConcurrentHashMap<>();
    private volatile int maxDifferencesPerSecond = 100;
    private volatile int queueBatches = 16;
    private volatile Duration defaultBudget = Duration.ofSeconds(2);

    /** Changes with every shadow, promote and unshadow, so sessions look again only then. */
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param registry validates candidates, knows the active versions and deploys promotions
     * @param clock epoch milliseconds
     */
    public Shadows(RuleRegistry registry, LongSupplier clock, SidecarMetrics metrics) {
        this.registry = registry;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Sets the rate limit of difference lines per rule per second, the batches a shadow may fall
     * behind before it skips, and the default batch budget.
     */
    public Shadows configure(int maxDifferencesPerSecond, int queueBatches, Duration budget) {
        this.maxDifferencesPerSecond = maxDifferencesPerSecond;
        this.queueBatches = queueBatches;
        this.defaultBudget = budget;
        return this;
    }

    /**
     * A session's shadows.
     *
     * @param barriers whether its client sends checkpoint barriers
     * @param reports where its difference reports go (the session's socket, or nowhere)
     */
    public SessionShadows open(
            String session,
            boolean barriers,
            RuleWatchdog watchdog,
            Consumer<ShadowReport> reports) {
        return new SessionShadows(this, session, barriers, watchdog, reports);
    }

    /** Admin thread: validates a candidate as a deploy would and shadows it. Runs rule code. */
    public AdminResponse shadow(String fileName, byte[] jar, byte[] config) {
        RuleArtifact artifact;
        try {
            artifact = registry.prepare(fileName, jar, config, "admin shadow " + fileName);
        } catch (RuleLoadException e) {
            return answer(registry.refusal(null, e));
        }
        RuleJar loaded;
        try {
            loaded = registry.validate(artifact);
        } catch (RuleLoadException e) {
            registry.discard(artifact);
            return answer(registry.refusal(artifact, e));
        }
        String active = activeVersion(artifact.id());
        if (active == null) {
            registry.unload(artifact, loaded);
            return failed(
                    DeployOutcome.UNKNOWN_RULE,
                    "cannot shadow "
                            + artifact.id()
                            + ": no active version of that rule to compare with; deploy it"
                            + " instead");
        }
        WindowShape shape;
        try {
            shape = windowShape(loaded);
        } catch (RuleLoadException e) {
            registry.unload(artifact, loaded);
            return answer(registry.refusal(artifact, e));
        }
        RuleVersion version =
                RuleVersion.managed(
                        loaded,
                        new LongAdder(),
                        VersionMeters.NONE,
                        unused -> registry.unload(artifact, loaded));
        ShadowCandidate candidate =
                new ShadowCandidate(
                        artifact,
                        version,
                        clock.getAsLong(),
                        shape.span(),
                        shape.gaps(),
                        new DifferenceRateLimit(maxDifferencesPerSecond, System::currentTimeMillis),
                        totals.computeIfAbsent(artifact.id(), id -> new ShadowTotals(id, metrics)));
        bytes.put(artifact.id(), new byte[][] {jar, config});
        ShadowCandidate before = candidates.put(artifact.id(), candidate);
        generation.incrementAndGet();
        if (before != null) {
            end(before);
        }
        LOG.info(
                "shadowing {} {} beside {} from each session's next checkpoint barrier{}",
                artifact.id(),
                artifact.version(),
                active,
                before == null ? "" : " (replaces candidate " + before.version.version() + ")");
        return AdminResponse.newBuilder()
                .setOk(true)
                .setMessage(
                        "shadowing "
                                + artifact.id()
                                + " "
                                + artifact.version()
                                + " beside "
                                + active
                                + ": from each session's next checkpoint barrier (next batch"
                                + " without checkpoints)")
                .addShadows(candidate.status(active))
                .build();
    }

    /** Admin thread: the status of one rule's candidate, or of all when {@code rule} is empty. */
    public AdminResponse status(String rule) {
        AdminResponse.Builder out = AdminResponse.newBuilder().setOk(true);
        if (!rule.isEmpty()) {
            ShadowCandidate candidate = candidates.get(rule);
            if (candidate == null) {
                return failed(NO_SHADOW, "rule " + rule + " has no candidate in shadow");
            }
            return out.addShadows(candidate.status(activeVersion(rule))).build();
        }
        for (ShadowCandidate candidate : candidates()) {
            out.addShadows(candidate.status(activeVersion(candidate.id)));
        }
        return out.build();
    }

    /** Deploys a promote tries when checkpoint barriers keep passing while it validates. */
    private static final int PROMOTE_ATTEMPTS = 5;

    /** The code of a promote or unshadow of a rule without a candidate. */
    public static final String NO_SHADOW = "NO_SHADOW";

    /** The code of a promote of a windowed candidate that has not run long enough. */
    public static final String TOO_EARLY = "TOO_EARLY";

    /**
     * Admin thread: makes the candidate the active version right after the next checkpoint barrier
     * (a deploy activated after the last barrier seen + 1; the next batch without barriers).
     * Refused for a windowed candidate, with the event time left, until it has run for its window
     * size plus allowed lateness in every session. Runs rule code (the deploy validates again).
     */
    public AdminResponse promote(String rule) {
        ShadowCandidate candidate = candidates.get(rule);
        if (candidate == null) {
            return failed(NO_SHADOW, "rule " + rule + " has no candidate in shadow to promote");
        }
        long wait = candidate.gate.waitMillis();
        if (wait > 0) {
            return AdminResponse.newBuilder()
                    .setOk(false)
                    .setCode(TOO_EARLY)
                    .setMessage(
                            "cannot promote "
                                    + rule
                                    + " "
                                    + candidate.version.version()
                                    + " yet: a windowed candidate must first run for its window"
                                    + " size plus allowed lateness, so that every window it holds"
                                    + " is complete; "
                                    + wait
                                    + " ms of event time left")
                    .addShadows(candidate.status(activeVersion(rule)))
                    .build();
        }
        byte[][] jarAndConfig = bytes.get(rule);
        long at;
        DeployOutcome outcome;
        int attempts = 0;
        do { // a barrier may pass while the deploy validates: then the one after it
            long barrier = registry.lastBarrier();
            at = barrier == 0 ? 0 : barrier + 1;
            outcome =
                    registry.deploy(
                            candidate.artifact.fileName(),
                            jarAndConfig[0],
                            jarAndConfig[1],
                            "admin promote " + candidate.artifact.fileName(),
                            at);
        } while (!outcome.ok()
                && outcome.code().equals(DeployOutcome.CHECKPOINT_PASSED)
                && ++attempts < PROMOTE_ATTEMPTS);
        if (!outcome.ok()) {
            return answer(outcome);
        }
        candidate.promoted(at == 0 ? Long.MAX_VALUE : at);
        ShadowStatus last = candidate.status(activeVersion(rule));
        if (candidates.remove(rule, candidate)) {
            bytes.remove(rule);
            end(candidate);
        }
        return AdminResponse.newBuilder()
                .setOk(true)
                .setMessage(
                        "promoted "
                                + rule
                                + " "
                                + candidate.version.version()
                                + (at == 0
                                        ? ": active from each session's next batch"
                                        : ": active right after checkpoint barrier " + at)
                                + "; the shadow ends there"
                                + windowsAtPromote(candidate, at))
                .addShadows(last)
                .build();
    }

    /** What becomes of the windows at the promote, for its answer; empty for per-event rules. */
    private static String windowsAtPromote(ShadowCandidate candidate, long at) {
        if (!candidate.windowed()) {
            return "";
        }
        String instead =
                ": the version before finishes its open windows and the candidate starts its"
                        + " windows afresh, as after any windowed deploy";
        if (at == 0) {
            return "; its windows are not handed over without checkpoint barriers" + instead;
        }
        if (candidate.gapWindows) {
            return "; its windows are not handed over, since a session window open at the"
                    + " promote may have begun before the shadow"
                    + instead;
        }
        long skipped = candidate.skipped.sum();
        if (skipped > 0) {
            return "; its windows are not handed over in the sessions where its shadow skipped"
                    + " batches ("
                    + skipped
                    + " so far)"
                    + instead
                    + "; elsewhere its open windows replace the version before's there";
        }
        return "; its open windows replace the version before's there, in every session whose"
                + " shadow has run every batch until then";
    }

    /** Admin thread: drops the rule's candidate; the active version is untouched. */
    public AdminResponse unshadow(String rule) {
        ShadowCandidate candidate = candidates.remove(rule);
        if (candidate == null) {
            return failed(NO_SHADOW, "rule " + rule + " has no candidate in shadow");
        }
        bytes.remove(rule);
        ShadowStatus last = candidate.status(activeVersion(rule));
        end(candidate);
        return AdminResponse.newBuilder()
                .setOk(true)
                .setMessage(
                        "dropped the candidate "
                                + rule
                                + " "
                                + candidate.version.version()
                                + "; "
                                + rule
                                + " "
                                + last.getActiveVersion()
                                + " stays active")
                .addShadows(last)
                .build();
    }

    private void end(ShadowCandidate candidate) {
        candidate.end();
        generation.incrementAndGet();
        candidate.version.release(); // the creator's reference; sessions hold their own
    }

    /** A number that changes whenever a candidate is added, promoted or dropped. */
    long generation() {
        return generation.get();
    }

    ShadowCandidate candidate(String id) {
        return candidates.get(id);
    }

    List<ShadowCandidate> candidates() {
        return new ArrayList<>(candidates.values());
    }

    int queueBatches() {
        return queueBatches;
    }

    long budgetNanos(ShadowCandidate candidate) {
        Duration own = null;
        try {
            own = RuleBudgets.of(candidate.version);
        } catch (IllegalArgumentException e) {
            // refused at validation
        }
        return (own != null ? own : defaultBudget).toNanos();
    }

    /** The version of {@code id} new sessions start with, or null. */
    private String activeVersion(String id) {
        for (RuleStatus rule : registry.status()) {
            if (rule.getId().equals(id) && rule.hasActive()) {
                return rule.getActive().getVersion();
            }
        }
        return null;
    }

    /**
     * A jar's windows: its longest window size (a session window's gap) plus its allowed lateness,
     * ms (0 for per-event rules), and whether one of its rules has gap windows.
     */
    record WindowShape(long span, boolean gaps) {}

    /** The {@link WindowShape} of a jar. Opens and closes one instance of each windowed rule. */
    static WindowShape windowShape(RuleJar jar) throws RuleLoadException {
        long span = 0;
        boolean gaps = false;
        for (LoadedRule rule : jar.rules()) {
            if (!rule.windowed()) {
                continue;
            }
            WindowedRule<?> instance = rule.openWindowed();
            try {
                WindowAssigner assigner = instance.windowAssigner();
                long size =
                        assigner.type() == WindowAssigner.Type.SESSION
                                ? assigner.gap()
                                : assigner.size();
                span = Math.max(span, size + instance.allowedLateness().toMillis());
                gaps |= assigner.type() == WindowAssigner.Type.SESSION;
            } finally {
                rule.close(instance);
            }
        }
        return new WindowShape(span, gaps);
    }

    private static AdminResponse answer(DeployOutcome outcome) {
        return AdminResponse.newBuilder()
                .setOk(outcome.ok())
                .setCode(outcome.code())
                .setMessage(outcome.message())
                .setDetail(outcome.detail())
                .build();
    }

    private static AdminResponse failed(String code, String message) {
        return AdminResponse.newBuilder().setOk(false).setCode(code).setMessage(message).build();
    }
}
