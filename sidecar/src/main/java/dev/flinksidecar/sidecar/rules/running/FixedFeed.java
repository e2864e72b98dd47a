package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.util.ArrayList;
import java.util.List;

/** A feed whose versions never change: all of them at the first batch, nothing after. */
public final class FixedFeed implements RuleFeed {

    private List<RuleVersion> pending;

    public FixedFeed(List<RuleVersion> versions) {
        this.pending = List.copyOf(versions);
    }

    @Override
    public List<RuleChange> atBatch() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<RuleChange> changes = new ArrayList<>();
        for (RuleVersion version : pending) {
            version.acquire();
            changes.add(new RuleChange(version.id(), version));
        }
        pending = List.of();
        return changes;
    }

    @Override
    public List<RuleChange> atBarrier(long checkpointId) {
        return List.of();
    }

    @Override
    public void close() {
        pending = List.of();
    }
}
