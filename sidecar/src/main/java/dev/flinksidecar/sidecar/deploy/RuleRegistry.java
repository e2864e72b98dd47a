package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.proto.RefusedDeploy;
import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.loading.BoundedValidation;
import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import dev.flinksidecar.sidecar.rules.loading.JarLimits;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.Reasons;
import dev.flinksidecar.sidecar.rules.loading.RuleArtifact;
import dev.flinksidecar.sidecar.rules.loading.RuleJar;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.running.Quarantines;
import dev.flinksidecar.sidecar.rules.running.RuleBudgets;
import dev.flinksidecar.sidecar.rules.running.RuleFeed;
import dev.flinksidecar.sidecar.rules.running.RuleFeedSource;
import dev.flinksidecar.sidecar.shadow.Shadows;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule versions of a running sidecar and when each session switches between them: deploy,
 * rollback and remove from the admin socket and the rules directory; the session side through one
 * {@link SessionFeed} per session.
 *
 * <pre>
 *   deploy(jar) --size (JarLimits), digest (Sha256AllowList), config (prepare)-->
 *               --validate (RuleJar.load, no lock held)--> refused: nothing changes, message says why
 *               (anything thrown while a file loads, OutOfMemoryError included, is its refusal)
 *               --append to the rule's timeline (Timelines)-->
 *       per-event rule:  active at once; each session switches at its next batch boundary
 *       windowed rule:   staged from checkpoint N = 1 + the highest barrier any session sent
 *                        (or the N the deploy asks for); each session that sends barriers switches
 *                        right after barrier N; a session restored from checkpoint C starts with
 *                        the version in force right after barrier C
 *   CheckpointCompleted C: versions no restore can need any more are let go; a version is
 *                        unloaded when neither the registry nor any session holds it
 * </pre>
 *
 * <p>An explicit activation checkpoint ({@code activateAfterCheckpoint > 0}) lets whoever deploys
 * to several sidecars (one per TaskManager) make all of them switch at the same checkpoint; it
 * applies to per-event versions too.
 *
 * <p>Threads: thread-safe. Validation runs rule code on the caller's thread (the admin thread),
 * outside any lock; every timeline change happens under the {@link Timelines} lock, held only
 * briefly.
 */
public final class RuleRegistry implements RuleFeedSource, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleRegistry.class);

    private final ArtifactStore store;
    private final Consumer<ClassLoader> retire;
    private final Timelines timelines;
    private final Refusals refusals = new Refusals();
    private final LongSupplier clock;
    private final SidecarMetrics metrics;
    private final Quarantines quarantines = new Quarantines();
    private volatile Duration validationTimeout = Duration.ofSeconds(30);
    private final LongAdder quarantined = new LongAdder();
    private final JarLimits limits;
    private final Sha256AllowList allowList;
    private final Shadows shadows;

    /**
     * @param store where deployed jars are kept while versions use them
     * @param retire gets each classloader once its version is unloaded (or refused), already closed
     * @param maxRestorable older windowed versions kept per rule for restores when no
     *     CheckpointCompleted says they are no longer needed
     * @param clock epoch milliseconds, for status
     */
    public RuleRegistry(
            ArtifactStore store,
            Consumer<ClassLoader> retire,
            int maxRestorable,
            LongSupplier clock) {
        this(store, retire, maxRestorable, clock, SidecarMetrics.disabled());
    }

    /**
     * As {@link #RuleRegistry(ArtifactStore, Consumer, int, LongSupplier)}, counting versions,
     * activations and refusals in {@code metrics}.
     */
    public RuleRegistry(
            ArtifactStore store,
            Consumer<ClassLoader> retire,
            int maxRestorable,
            LongSupplier clock,
            SidecarMetrics metrics) {
        this(
                store,
                retire,
                maxRestorable,
                clock,
                metrics,
                JarLimits.DEFAULTS,
                Sha256AllowList.any());
    }

    /**
     * As {@link #RuleRegistry(ArtifactStore, Consumer, int, LongSupplier, SidecarMetrics)}, reading
     * jars within {@code limits} and accepting only those {@code allowList} lists.
     */
    public RuleRegistry(
            ArtifactStore store,
            Consumer<ClassLoader> retire,
            int maxRestorable,
            LongSupplier clock,
            SidecarMetrics metrics,
            JarLimits limits,
            Sha256AllowList allowList) {
        this.limits = limits;
        this.allowList = allowList;
        this.store = store;
        this.retire = retire;
        this.clock = clock;
        this.metrics = metrics;
        this.timelines = new Timelines(store, retire, maxRestorable, clock, metrics);
        this.shadows = new Shadows(this, clock, metrics);
        quarantines.onQuarantine(
                entry -> {
                    quarantined.increment();
                    LOG.warn(
                            "rule {} {} quarantined: {}; `admin deploy` or `admin rollback` of the"
                                    + " rule lifts it",
                            entry.id(),
                            entry.version(),
                            entry.reason());
                });
        metrics.gauge(
                "sidecar.rule.quarantined",
                "rule versions quarantined now (admin status names them and says why)",
                null,
                quarantines,
                q -> q.all().size());
        metrics.counter(
                "sidecar.rule.quarantines",
                "rule versions quarantined: past their batch budget, an Error thrown, or running when the sidecar died",
                quarantined,
                LongAdder::sum);
    }

    /**
     * How long validating one jar (loading it, opening its rules, its self-test) may take before
     * the jar is refused; 30 s unless set.
     */
    public RuleRegistry validationTimeout(Duration timeout) {
        this.validationTimeout = timeout;
        return this;
    }

    @Override
    public Quarantines quarantines() {
        return quarantines;
    }

    /** The candidate versions in shadow beside this registry's active versions. */
    @Override
    public Shadows shadows() {
        return shadows;
    }

    /**
     * Stores a jar and reads its identity, without loading it; {@link #deploy(RuleArtifact, long)}
     * or {@link #discard} it next.
     *
     * @throws RuleLoadException when its config or manifest cannot be read
     */
    public RuleArtifact prepare(String fileName, byte[] jar, byte[] config, String source)
            throws RuleLoadException {
        limits.checkJarSize(fileName, jar.length);
        ContentHash.Digest digest = ContentHash.digest(jar, config);
        allowList.check(fileName, digest.jarSha256());
        Path file;
        try {
            file = store.store(fileName, jar, digest.jarSha256());
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + fileName + " could not be stored: " + e);
        }
        try {
            return RuleArtifact.of(fileName, file, digest.hash(), config, source);
        } catch (RuleLoadException e) {
            store.release(file);
            throw e;
        }
    }

    /** Forgets a prepared artifact that will not be deployed. */
    public void discard(RuleArtifact artifact) {
        store.release(artifact.jarFile());
    }

    /** As {@link #deploy(String, byte[], byte[], String, long)} at the default checkpoint. */
    public DeployOutcome deploy(String fileName, byte[] jar, byte[] config, String source) {
        return deploy(fileName, jar, config, source, 0);
    }

    /** Validates and deploys a jar given as bytes (see the class comment). Runs rule code. */
    public DeployOutcome deploy(
            String fileName,
            byte[] jar,
            byte[] config,
            String source,
            long activateAfterCheckpoint) {
        RuleArtifact artifact;
        try {
            artifact = prepare(fileName, jar, config, source);
        } catch (RuleLoadException e) {
            return refused(source, null, e);
        } catch (Throwable e) {
            rethrowIfFatal(e);
            return refused(source, null, failed(fileName, e));
        }
        return deploy(artifact, activateAfterCheckpoint);
    }

    /** As {@link #deploy(RuleArtifact, long)} at the default checkpoint. */
    public DeployOutcome deploy(RuleArtifact artifact) {
        return deploy(artifact, 0);
    }

    /**
     * Validates and deploys a prepared artifact (see the class comment). Runs rule code.
     *
     * @param activateAfterCheckpoint 0 for the default; else sessions switch right after the first
     *     barrier with at least this id, which must be above every barrier seen so far
     */
    public DeployOutcome deploy(RuleArtifact artifact, long activateAfterCheckpoint) {
        RuleJar jar;
        try {
            jar = validate(artifact);
        } catch (RuleLoadException e) {
            discard(artifact);
            return refused(artifact.source(), artifact.id(), e);
        }
        DeployOutcome outcome = timelines.add(artifact, jar, activateAfterCheckpoint);
        if (outcome.ok()) {
            for (Quarantines.Entry lifted : quarantines.lift(artifact.id())) {
                LOG.info(
                        "rule {} {}: quarantine lifted by the deploy of {}",
                        lifted.id(),
                        lifted.version(),
                        artifact.version());
            }
        }
        return outcome;
    }

    /**
     * Validates a prepared artifact as every deploy does (loaded within the limits and the
     * validation timeout, its rules opened, its self-test run, its budget checked), changing
     * nothing; a shadow's candidate is validated so. Runs rule code.
     *
     * @return the loaded jar, the caller's to close ({@link #unload})
     * @throws RuleLoadException naming what failed; anything thrown while the file loads is its
     *     refusal
     */
    public RuleJar validate(RuleArtifact artifact) throws RuleLoadException {
        try {
            return BoundedValidation.run(
                    artifact.fileName(),
                    validationTimeout,
                    () -> withValidBudget(RuleJar.load(artifact, limits, retire::accept)));
        } catch (RuleLoadException e) {
            throw e;
        } catch (Throwable e) {
            rethrowIfFatal(e);
            throw failed(artifact.fileName(), e);
        }
    }

    /**
     * Lets go of a jar {@link #validate} loaded and its stored artifact: its loader is closed and
     * watched until collected.
     */
    public void unload(RuleArtifact artifact, RuleJar jar) {
        timelines.unload(jar);
        discard(artifact);
    }

    /**
     * Records a refusal of {@code artifact} (status, metrics, log) and returns it as an outcome.
     */
    public DeployOutcome refusal(RuleArtifact artifact, RuleLoadException e) {
        return refused(
                artifact == null ? "admin" : artifact.source(),
                artifact == null ? null : artifact.id(),
                e);
    }

    /** {@code jar}, once its rules' configs set no budget or a valid one; else refused. */
    private static RuleJar withValidBudget(RuleJar jar) throws RuleLoadException {
        for (LoadedRule rule : jar.rules()) {
            try {
                RuleBudgets.of(rule.config());
            } catch (IllegalArgumentException e) {
                try {
                    jar.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                throw new RuleLoadException(
                        "rule jar " + jar.fileName() + ": " + e.getMessage(), e.toString(), e);
            }
        }
        return jar;
    }

    /**
     * Deploys again the version that was active before the active one, validated as a new deploy.
     * Runs rule code.
     */
    public DeployOutcome rollback(String id, long activateAfterCheckpoint) {
        Timelines.RollbackTarget target = timelines.rollbackTarget(id);
        if (target.failure != null) {
            return target.failure;
        }
        DeployOutcome outcome = deploy(target.artifact, activateAfterCheckpoint);
        if (!outcome.ok()) {
            return outcome;
        }
        int colon = outcome.message().indexOf(": ");
        return DeployOutcome.done(
                id,
                "rolled back "
                        + id
                        + " to "
                        + target.artifact.version()
                        + " (from "
                        + target.from
                        + ")"
                        + (colon < 0
                                ? "; " + outcome.message()
                                : outcome.message().substring(colon)));
    }

    /** As {@link #rollback(String, long)} at the default checkpoint. */
    public DeployOutcome rollback(String id) {
        return rollback(id, 0);
    }

    /**
     * Removes a rule: per-event at the next batch, windowed after the next barrier (its windows
     * finish).
     */
    public DeployOutcome remove(String id, long activateAfterCheckpoint) {
        return timelines.remove(id, activateAfterCheckpoint);
    }

    /** As {@link #remove(String, long)} at the default checkpoint. */
    public DeployOutcome remove(String id) {
        return remove(id, 0);
    }

    /**
     * Where the rule's newest version came from, e.g. {@code rules-dir fraud.jar}; null when there
     * is none.
     */
    public String sourceOf(String id) {
        return timelines.sourceOf(id);
    }

    /** How large the jars this registry takes may be, and inflate to. */
    public JarLimits limits() {
        return limits;
    }

    /**
     * The refusal of a file whose loading failed with something other than a refusal: an error of
     * the JVM's (out of memory, a stack overflow) or a bug. It is that file's failure, not the
     * sidecar's: the caller (the rules-directory watcher, an admin deploy) goes on with the next.
     */
    public static RuleLoadException failed(String fileName, Throwable thrown) {
        return new RuleLoadException(
                "rule jar " + fileName + " refused: loading it failed with " + thrown,
                Reasons.stack(thrown),
                thrown);
    }

    /**
     * Rethrows what says that the JVM itself is broken ({@link InternalError}, {@link
     * UnknownError}). An {@link OutOfMemoryError} or {@link StackOverflowError} while one file
     * loads is that file's: its allocations and frames are gone once it is refused.
     */
    public static void rethrowIfFatal(Throwable thrown) {
        if (thrown instanceof VirtualMachineError
                && !(thrown instanceof OutOfMemoryError)
                && !(thrown instanceof StackOverflowError)) {
            throw (VirtualMachineError) thrown;
        }
    }

    /** Remembers a refusal for {@code status} (deploys refused here are remembered already). */
    public void refusedElsewhere(String source, String message) {
        metrics.refused();
        synchronized (refusals) {
            refusals.add(source, message, clock.getAsLong());
        }
    }

    @Override
    public RuleFeed open(
            String sessionName, boolean checkpointBarriers, long restoredCheckpointId) {
        SessionFeed feed =
                new SessionFeed(timelines, sessionName, checkpointBarriers, restoredCheckpointId);
        timelines.open(feed);
        return feed;
    }

    private DeployOutcome refused(String source, String id, RuleLoadException e) {
        refusedElsewhere(source, e.getMessage());
        LOG.warn(
                "refused: {} ({}from {})",
                e.getMessage(),
                id == null ? "" : "rule " + id + ", ",
                source);
        return DeployOutcome.failed(DeployOutcome.REFUSED, id, e.getMessage(), e.detail());
    }

    /** The rules with an active or staged version, by id. */
    public List<RuleStatus> status() {
        return timelines.status();
    }

    /** The most recent refusals, newest last. */
    public List<RefusedDeploy> refusals() {
        synchronized (refusals) {
            return refusals.list();
        }
    }

    /** Live sessions. */
    public int sessions() {
        return timelines.sessions();
    }

    /** The highest checkpoint barrier (or restored checkpoint) any session sent, 0 if none. */
    public long lastBarrier() {
        return timelines.lastBarrier();
    }

    /** The highest checkpoint any session reported complete, 0 if none. */
    public long lastCompleted() {
        return timelines.lastCompleted();
    }

    /** The active versions, e.g. {@code [fraud@1.2.0+3f2a9c1, spend@1.0.0+0c1d2e3]}, for logs. */
    @Override
    public String toString() {
        return timelines.toString();
    }

    /** Lets go of every version (sessions must be closed first). */
    @Override
    public void close() {
        timelines.close();
    }
}
