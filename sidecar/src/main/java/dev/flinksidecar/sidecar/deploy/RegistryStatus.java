package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.proto.VersionStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@link RuleStatus} of each rule with an active or staged version, for {@code list} and {@code
 * status}.
 */
final class RegistryStatus {

    private RegistryStatus() {}

    /** Under the {@link Timelines} lock. */
    static List<RuleStatus> rules(Collection<RuleTimeline> timelines) {
        List<RuleStatus> rules = new ArrayList<>();
        for (RuleTimeline timeline : timelines) {
            VersionRecord active = timeline.active();
            Activation staged = timeline.staged();
            if (active == null && (staged == null || staged.removal())) {
                continue;
            }
            VersionRecord shown = active != null ? active : staged.record;
            RuleStatus.Builder rule =
                    RuleStatus.newBuilder()
                            .setId(timeline.id)
                            .setKind(
                                    shown.windowed || (staged != null && staged.windowed())
                                            ? "windowed"
                                            : "per-event")
                            .setSource(shown.artifact.source());
            if (active != null) {
                rule.setActive(version(timeline, active));
            }
            if (staged != null && staged.removal()) {
                rule.setRemoving(true);
            } else if (staged != null) {
                rule.setStaged(
                        version(timeline, staged.record).toBuilder()
                                .setActivatesAfterCheckpoint(staged.fromCheckpoint));
            }
            VersionRecord previous = timeline.previous();
            if (previous != null) {
                rule.setPrevious(version(timeline, previous));
            }
            rules.add(rule.build());
        }
        return rules;
    }

    private static VersionStatus version(RuleTimeline timeline, VersionRecord record) {
        int sessions = 0;
        for (Activation entry : timeline.entries) {
            if (entry.record == record) {
                sessions = Math.max(0, entry.version.references() - 1); // less the registry's own
            }
        }
        return VersionStatus.newBuilder()
                .setVersion(record.version())
                .setDeployedAtMs(record.deployedAt)
                .setActivatedAtMs(record.activatedAt)
                .setRetiredAtMs(record.retiredAt)
                .setEventsHandled(record.events.sum())
                .setSessions(sessions)
                .build();
    }
}
