package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.shadow.Shadows;

/**
 * Where sessions get their rules: a fixed {@link RuleSet} ({@code replay}, tests), or the sidecar's
 * registry of deployed versions ({@code serve}).
 *
 * <p>Threads: {@link #open} is called on a rule thread, once per session.
 */
public interface RuleFeedSource {

    /**
     * A feed for a new session. Its first {@link RuleFeed#atBatch()} gives the session's initial
     * rules.
     *
     * @param sessionName for log messages
     * @param checkpointBarriers whether the session's client sends checkpoint barriers
     * @param restoredCheckpointId the checkpoint the client restored from, 0 when it started fresh
     */
    RuleFeed open(String sessionName, boolean checkpointBarriers, long restoredCheckpointId);

    /**
     * The quarantines its sessions share and that deploys lift, or null when it keeps none (each
     * server then keeps its own).
     */
    default Quarantines quarantines() {
        return null;
    }

    /**
     * The candidate versions its sessions run in shadow ({@code admin shadow}), or null when it has
     * none (a fixed rule set).
     */
    default Shadows shadows() {
        return null;
    }
}
