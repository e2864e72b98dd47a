package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.rules.running.RuleChange;
import dev.flinksidecar.sidecar.rules.running.RuleFeed;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's view of the rule timelines ({@link Timelines}, behind {@link RuleRegistry}): which
 * entry of each rule's timeline it runs, so that it only ever moves forward.
 *
 * <p>Threads: the session's rule executor calls it; its fields are guarded by the timelines' lock,
 * except {@link #seenGeneration}, which only that thread touches.
 */
final class SessionFeed implements RuleFeed {

    /** When the registry asks what this session should run. */
    enum Point {
        OPEN,
        BATCH,
        BARRIER
    }

    final Timelines registry;
    final String name;
    final long restoredCheckpoint;
    boolean barriers;

    /** Per rule id: the seq of the timeline entry this session runs (absent: none yet). */
    final Map<String, Long> applied = new HashMap<>();

    private long seenGeneration = -1;
    private boolean opened;

    SessionFeed(Timelines registry, String name, boolean barriers, long restoredCheckpoint) {
        this.registry = registry;
        this.name = name;
        this.barriers = barriers;
        this.restoredCheckpoint = restoredCheckpoint;
    }

    @Override
    public List<RuleChange> atBatch() {
        long generation = registry.generation();
        if (generation == seenGeneration) {
            return List.of();
        }
        seenGeneration = generation;
        Point point = opened ? Point.BATCH : Point.OPEN;
        opened = true;
        return registry.changes(this, point, 0);
    }

    @Override
    public List<RuleChange> atBarrier(long checkpointId) {
        return registry.barrier(this, checkpointId);
    }

    @Override
    public void completed(long checkpointId) {
        registry.completed(checkpointId);
    }

    @Override
    public void holding(long checkpointId, Collection<RuleVersion> versions) {
        if (!versions.isEmpty()) {
            registry.holding(checkpointId, versions);
        }
    }

    @Override
    public RuleVersion restorable(String id, String version) {
        return registry.restorable(id, version);
    }

    @Override
    public void close() {
        registry.closed(this);
    }

    @Override
    public String toString() {
        return name;
    }
}
