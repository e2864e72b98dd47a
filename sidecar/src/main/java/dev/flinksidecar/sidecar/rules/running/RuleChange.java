package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;

/**
 * One change a {@link RuleFeed} asks a session's engine to make at a batch boundary or a checkpoint
 * barrier: run {@code version} for rule {@code id} from now on, or, when {@code version} is null,
 * stop running the rule.
 */
public final class RuleChange {

    private final String id;
    private final RuleVersion version;

    /**
     * @param version acquired for the engine by the feed; null to remove the rule
     */
    public RuleChange(String id, RuleVersion version) {
        this.id = id;
        this.version = version;
    }

    public String id() {
        return id;
    }

    /** The version to run, or null to remove the rule. */
    public RuleVersion version() {
        return version;
    }

    @Override
    public String toString() {
        return version == null ? id + " removed" : version.toString();
    }
}
