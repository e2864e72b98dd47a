package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.RuleContext;

/** The context a rule is opened with: its identity, its config and a logger named after it. */
final class BasicRuleContext implements RuleContext {

    private final String ruleId;
    private final String version;
    private final RuleConfig config;
    private final System.Logger logger;

    BasicRuleContext(String ruleId, String version, RuleConfig config) {
        this.ruleId = ruleId;
        this.version = version;
        this.config = config;
        this.logger = new RuleLogger(ruleId);
    }

    @Override
    public String ruleId() {
        return ruleId;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public System.Logger logger() {
        return logger;
    }
}
