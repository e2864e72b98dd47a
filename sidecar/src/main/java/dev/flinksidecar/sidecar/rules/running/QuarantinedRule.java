package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.util.Collection;
import java.util.List;

/**
 * Stands in a session's rule table for a quarantined version: it keeps the version's place in the
 * answer's rule table and turns every event the version would have been given into a dead letter
 * with the quarantine's reason. It never calls the version's code again, not even {@code close}: a
 * thread may still be stuck in it.
 *
 * <p>One thread: the engine's.
 */
final class QuarantinedRule extends RunningRule {

    private final RuleVersion version;
    private final String reason;
    private int index;

    QuarantinedRule(RuleVersion version, String reason) {
        this.version = version;
        this.reason = reason;
    }

    RuleVersion version() {
        return version;
    }

    /** Takes the table index of the rule it stands in for, until the table is rebuilt. */
    void placeAt(int index) {
        this.index = index;
    }

    @Override
    void index(List<RuleRef> table, List<RuleVersion> versions) {
        index = table.size();
        table.add(version.ref());
        versions.add(version);
    }

    @Override
    int index() {
        return index;
    }

    @Override
    void onEvent(Event event, BatchAnswer answer, ContextSwitch context) {
        answer.deadLetter(reason);
    }

    @Override
    void versions(Collection<RuleVersion> into) {
        into.add(version);
    }

    @Override
    RuleVersion blamed() {
        return version;
    }

    @Override
    void close() {
        // never calls the quarantined code again
    }
}
