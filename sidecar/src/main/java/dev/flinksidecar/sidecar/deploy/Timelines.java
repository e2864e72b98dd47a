package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.loading.RuleArtifact;
import dev.flinksidecar.sidecar.rules.loading.RuleJar;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.rules.running.RuleChange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timelines of every rule ({@link RuleTimeline}) and where each live session is on them: the
 * state behind {@link RuleRegistry}, all under one lock (this object's monitor).
 *
 * <p>Owns the registry's reference to each version in a timeline: an entry that leaves drops it,
 * and a version whose last reference is gone is unloaded here (its loader closed and handed to the
 * retired-loader watch).
 *
 * <p>Threads: every method is synchronized and quick; {@link #generation()} is a volatile read for
 * the sessions' cheap check at each batch.
 */
final class Timelines {

    private static final Logger LOG = LoggerFactory.getLogger(Timelines.class);

    private final ArtifactStore store;
    private final Consumer<ClassLoader> retire;
    private final int maxRestorable;
    private final LongSupplier clock;
    private final SidecarMetrics metrics;
    private final Map<String, RuleTimeline> timelines = new TreeMap<>();
    private final Set<SessionFeed> feeds = new HashSet<>();
    private volatile long generation;
    private long seq;
    private long maxBarrier;
    private long lastCompleted;
    private boolean barrierSessionsSeen;

    Timelines(
            ArtifactStore store,
            Consumer<ClassLoader> retire,
            int maxRestorable,
            LongSupplier clock,
            SidecarMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.retire = retire;
        this.maxRestorable = maxRestorable;
        this.clock = clock;
    }

    /**
     * Appends a validated version to its rule's timeline, unless it is the newest version there
     * already or its activation checkpoint has passed; then it is unloaded again.
     */
    synchronized DeployOutcome add(
            RuleArtifact artifact, RuleJar jar, long activateAfterCheckpoint) {
        RuleTimeline timeline = timelines.computeIfAbsent(artifact.id(), RuleTimeline::new);
        DeployOutcome refusal = already(timeline, artifact);
        if (refusal == null) {
            refusal = tooLate(artifact.id(), activateAfterCheckpoint);
        }
        if (refusal != null) {
            unload(jar);
            store.release(artifact.jarFile());
            return refusal;
        }
        VersionRecord record = new VersionRecord(artifact, jar.windowed(), clock.getAsLong());
        RuleVersion version =
                RuleVersion.managed(
                        jar,
                        record.events,
                        metrics.version(artifact.id(), artifact.version()),
                        this::unused);
        Activation entry = append(timeline, version, record, activateAfterCheckpoint);
        return DeployOutcome.done(
                artifact.id(),
                "deployed ".concat(idAndVersion(artifact)).concat(": ").concat(entry.describe()));
    }

    /**
     * Null unless {@code artifact} is the newest version already: then nothing changes, except that
     * deploying the active version again drops a version staged after it.
     */
    private DeployOutcome already(RuleTimeline timeline, RuleArtifact artifact) {
        Activation latest = timeline.latest();
        Activation active = timeline.latestReached();
        String what = idAndVersion(artifact);
        if (latest != null
                && latest.version != null
                && latest.version.version().equals(artifact.version())) {
            return DeployOutcome.done(
                    artifact.id(),
                    what
                            + " is already "
                            + (latest.reached ? "active" : "staged")
                            + "; nothing changed");
        }
        if (latest != null
                && !latest.reached
                && active != null
                && active.version != null
                && active.version.version().equals(artifact.version())) {
            timeline.entries.remove(latest);
            drop(latest, clock.getAsLong());
            return DeployOutcome.done(
                    artifact.id(),
                    what
                            + " is already active; the staged "
                            + (latest.removal() ? "removal" : latest.version.version())
                            + " is dropped");
        }
        return null;
    }

    /** Appends a removal to the rule's timeline. */
    synchronized DeployOutcome remove(String id, long activateAfterCheckpoint) {
        RuleTimeline timeline = timelines.get(id);
        Activation latest = timeline == null ? null : timeline.latest();
        if (latest == null || latest.removal()) {
            return unknown(id);
        }
        DeployOutcome late = tooLate(id, activateAfterCheckpoint);
        if (late != null) {
            return late;
        }
        Activation entry = append(timeline, null, null, activateAfterCheckpoint);
        LOG.info(
                "removing {}: {}",
                id,
                entry.reached ? "now" : "after checkpoint " + entry.fromCheckpoint);
        return DeployOutcome.done(id, "removed " + id + ": " + entry.describe());
    }

    /**
     * The version a rollback of {@code id} deploys again, its artifact retained for the deploy; or
     * why there is none.
     */
    synchronized RollbackTarget rollbackTarget(String id) {
        RuleTimeline timeline = timelines.get(id);
        if (timeline == null || timeline.history.isEmpty()) {
            return new RollbackTarget(null, null, unknown(id));
        }
        VersionRecord before = timeline.previous();
        if (before == null) {
            return new RollbackTarget(
                    null,
                    null,
                    DeployOutcome.failed(
                            DeployOutcome.NO_PREVIOUS,
                            id,
                            "rule " + id + " has no previous version to roll back to",
                            ""));
        }
        VersionRecord active = timeline.active();
        store.retain(before.artifact.jarFile());
        return new RollbackTarget(
                before.artifact.withSource("rollback of " + id),
                active == null ? "removed" : active.version(),
                null);
    }

    /**
     * What a rollback deploys ({@code artifact}, replacing {@code from}), or its {@code failure}.
     */
    static final class RollbackTarget {
        final RuleArtifact artifact;
        final String from;
        final DeployOutcome failure;

        RollbackTarget(RuleArtifact artifact, String from, DeployOutcome failure) {
            this.artifact = artifact;
            this.from = from;
            this.failure = failure;
        }
    }

    synchronized String sourceOf(String id) {
        RuleTimeline timeline = timelines.get(id);
        Activation latest = timeline == null ? null : timeline.latest();
        return latest == null || latest.removal() ? null : latest.record.artifact.source();
    }

    synchronized void open(SessionFeed feed) {
        feeds.add(feed);
        barrierSessionsSeen |= feed.barriers;
        maxBarrier = Math.max(maxBarrier, feed.restoredCheckpoint);
    }

    long generation() {
        return generation;
    }

    /**
     * What {@code feed} switches to at {@code point}: never back, never to an entry it ran already.
     */
    synchronized List<RuleChange> changes(
            SessionFeed feed, SessionFeed.Point point, long checkpointId) {
        List<RuleChange> changes = new ArrayList<>();
        for (RuleTimeline timeline : timelines.values()) {
            Activation target = Selection.choose(timeline, feed, point, checkpointId);
            Long applied = feed.applied.get(timeline.id);
            if (target == null || (applied != null && target.seq <= applied)) {
                continue;
            }
            feed.applied.put(timeline.id, target.seq);
            reach(timeline, target, clock.getAsLong());
            if (target.version != null) {
                target.version.acquire();
                changes.add(new RuleChange(timeline.id, target.version));
            } else if (applied != null) {
                changes.add(new RuleChange(timeline.id, null));
            }
        }
        prune();
        return changes;
    }

    synchronized List<RuleChange> barrier(SessionFeed feed, long checkpointId) {
        maxBarrier = Math.max(maxBarrier, checkpointId);
        if (!feed.barriers) {
            feed.barriers = true;
            barrierSessionsSeen = true;
        }
        return changes(feed, SessionFeed.Point.BARRIER, checkpointId);
    }

    /**
     * Some session's checkpoint {@code checkpointId} holds windows that these older versions
     * finish.
     */
    synchronized void holding(long checkpointId, Collection<RuleVersion> versions) {
        for (RuleVersion version : versions) {
            RuleTimeline timeline = timelines.get(version.id());
            for (Activation entry : timeline == null ? List.<Activation>of() : timeline.entries) {
                if (entry.version == version) {
                    entry.stateUntil = Math.max(entry.stateUntil, checkpointId);
                }
            }
        }
    }

    /**
     * The version {@code version} of rule {@code id}, acquired, if the timeline still has it; else
     * null.
     */
    synchronized RuleVersion restorable(String id, String version) {
        RuleTimeline timeline = timelines.get(id);
        Activation entry = timeline == null ? null : timeline.entryOf(version);
        if (entry == null) {
            return null;
        }
        entry.version.acquire();
        return entry.version;
    }

    synchronized void completed(long checkpointId) {
        lastCompleted = Math.max(lastCompleted, checkpointId);
        prune();
    }

    synchronized void closed(SessionFeed feed) {
        feeds.remove(feed);
    }

    synchronized List<RuleStatus> status() {
        return RegistryStatus.rules(timelines.values());
    }

    synchronized int sessions() {
        return feeds.size();
    }

    synchronized long lastBarrier() {
        return maxBarrier;
    }

    synchronized long lastCompleted() {
        return lastCompleted;
    }

    /** Drops every entry (sessions must be closed first). */
    synchronized void close() {
        for (RuleTimeline timeline : timelines.values()) {
            timeline.entries.forEach(entry -> drop(entry, clock.getAsLong()));
            timeline.entries.clear();
        }
        timelines.clear();
    }

    @Override
    public synchronized String toString() {
        List<String> active = new ArrayList<>();
        timelines.forEach(
                (id, t) -> {
                    VersionRecord record = t.active();
                    if (record != null) {
                        active.add(id.concat("@").concat(record.version()));
                    }
                });
        return active.toString();
    }

    /** Appends an entry (a version, or a removal when {@code version} is null). */
    private Activation append(
            RuleTimeline timeline,
            RuleVersion version,
            VersionRecord record,
            long activateAfterCheckpoint) {
        long now = clock.getAsLong();
        Activation staged = timeline.staged();
        if (staged != null) { // replaced before any session reached it
            timeline.entries.remove(staged);
            drop(staged, now);
        }
        Activation before = timeline.latestReached();
        boolean stateful =
                (version != null && version.windowed()) || (before != null && before.windowed());
        long from = activateAfterCheckpoint > 0 ? activateAfterCheckpoint : maxBarrier + 1;
        Activation entry =
                new Activation(
                        ++seq, version, record, from, !stateful && activateAfterCheckpoint == 0);
        if (record != null) {
            record.fromCheckpoint = entry.fromCheckpoint;
        }
        timeline.entries.add(entry);
        boolean reachNow = entry.immediate || feeds.stream().noneMatch(f -> f.barriers);
        if (version != null) {
            LOG.info(
                    "deployed {} from {}: {}",
                    version,
                    record.artifact.source(),
                    reachNow
                            ? "active now"
                            : "staged until checkpoint barrier " + entry.fromCheckpoint);
        }
        if (reachNow) {
            reach(timeline, entry, now);
        }
        prune();
        generation++;
        return entry;
    }

    /**
     * Marks {@code entry} reached (see {@link RuleTimeline#reach}) and logs the activation and the
     * retirement it means.
     */
    private void reach(RuleTimeline timeline, Activation entry, long now) {
        if (entry.reached) {
            return;
        }
        Activation before = timeline.latestReached();
        timeline.reach(entry, now);
        String was = before == null || before.version == null ? null : before.version.toString();
        if (entry.version != null) {
            metrics.activated(timeline.id);
            LOG.info("activated {}{}", entry.version, was == null ? "" : " (was " + was + ")");
        }
        if (was != null) {
            LOG.info(
                    "retired {}: {}",
                    was,
                    entry.version == null
                            ? "rule removed"
                            : "replaced by "
                                    + entry.version.version()
                                    + "; unloaded once no session runs it");
        }
    }

    private void prune() {
        for (RuleTimeline timeline : timelines.values()) {
            timeline.prune(
                    barrierSessionsSeen,
                    lastCompleted,
                    maxRestorable,
                    entry -> drop(entry, clock.getAsLong()));
            timeline.trimHistory(record -> store.release(record.artifact.jarFile()));
        }
    }

    /**
     * Lets go of an entry: the registry's reference to its version; its artifact if no history
     * keeps it.
     */
    private void drop(Activation entry, long now) {
        if (entry.version == null) {
            return;
        }
        if (!entry.reached) {
            entry.record.retiredAt = now;
            store.release(entry.record.artifact.jarFile());
        }
        entry.version.release();
    }

    /** Null when {@code checkpoint} is 0 (default) or still ahead; else the refusal. */
    private DeployOutcome tooLate(String id, long checkpoint) {
        if (checkpoint == 0 || checkpoint > maxBarrier) {
            return null;
        }
        return DeployOutcome.failed(
                DeployOutcome.CHECKPOINT_PASSED,
                id,
                "checkpoint "
                        + checkpoint
                        + " has passed on this sidecar "
                        + "(its sessions sent barrier "
                        + maxBarrier
                        + "); choose one above "
                        + maxBarrier,
                "");
    }

    private DeployOutcome unknown(String id) {
        List<String> ids = new ArrayList<>();
        timelines.forEach(
                (known, t) -> {
                    if (t.latest() != null && !t.latest().removal()) {
                        ids.add(known);
                    }
                });
        return DeployOutcome.failed(
                DeployOutcome.UNKNOWN_RULE,
                id,
                "no rule '"
                        + id
                        + "'"
                        + (ids.isEmpty()
                                ? "; no rule is deployed"
                                : "; rules: " + String.join(", ", ids)),
                "");
    }

    /** Called when the last reference to a version is gone: unloads it. Any thread. */
    private void unused(RuleVersion version) {
        unload(version.jar());
        metrics.release(version.meters());
        LOG.info("unloaded {}", version);
    }

    /** Closes a jar's loader and hands it to the retired-loader watch. Any thread. */
    void unload(RuleJar jar) {
        try {
            jar.close();
        } catch (IOException e) {
            LOG.warn("closing {} failed: {}", jar, e.toString());
        }
        retire.accept(jar.classLoader());
    }

    /** {@code fraud 1.2.0+3f2a9c1}, as the admin's answers name a version. */
    private static String idAndVersion(RuleArtifact artifact) {
        return artifact.id().concat(" ").concat(artifact.version());
    }
}
