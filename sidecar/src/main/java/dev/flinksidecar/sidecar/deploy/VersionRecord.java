package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.sidecar.rules.loading.RuleArtifact;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the registry remembers of one deployed version of a rule, for {@code list}, {@code status}
 * and {@code rollback}, beyond the life of its classloader: the artifact (to load it again), when
 * it was deployed, activated and retired, and the events it handled. Holds no class of the rule, so
 * remembering it pins no classloader.
 *
 * <p>Guarded by the {@link Timelines} lock, except {@link #events}, which rule threads add to.
 */
final class VersionRecord {

    final RuleArtifact artifact;
    final boolean windowed;
    final long deployedAt;
    final LongAdder events = new LongAdder();
    long activatedAt;
    long retiredAt;

    /** For a staged windowed version: sessions switch right after the first barrier >= this. */
    long fromCheckpoint;

    VersionRecord(RuleArtifact artifact, boolean windowed, long deployedAt) {
        this.artifact = artifact;
        this.windowed = windowed;
        this.deployedAt = deployedAt;
    }

    String version() {
        return artifact.version();
    }

    @Override
    public String toString() {
        return artifact.id() + "@" + version();
    }
}
