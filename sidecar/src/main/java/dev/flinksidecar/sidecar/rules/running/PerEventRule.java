package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.util.Collection;
import java.util.List;

/** A {@link Rule} instance of one version: each event goes to {@code onEvent}. */
final class PerEventRule extends RunningRule {

    private final RuleVersion version;
    private final LoadedRule loaded;
    private final Rule rule;
    private int index;

    private PerEventRule(RuleVersion version, LoadedRule loaded, Rule rule) {
        this.version = version;
        this.loaded = loaded;
        this.rule = rule;
    }

    /** Opens a fresh instance. Runs rule code. */
    static PerEventRule open(RuleVersion version, LoadedRule loaded) throws RuleLoadException {
        return new PerEventRule(version, loaded, loaded.open());
    }

    @Override
    void index(List<RuleRef> table, List<RuleVersion> versions) {
        index = table.size();
        table.add(loaded.ref());
        versions.add(version);
    }

    @Override
    int index() {
        return index;
    }

    @Override
    void onEvent(Event event, BatchAnswer answer, ContextSwitch context) throws Exception {
        context.enter(loaded.classLoader());
        rule.onEvent(event, answer);
    }

    @Override
    RuleVersion blamed() {
        return version;
    }

    @Override
    void versions(Collection<RuleVersion> into) {
        into.add(version);
    }

    @Override
    void close() {
        loaded.close(rule);
    }
}
