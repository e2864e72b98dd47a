package dev.flinksidecar.rule.testing;

import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.RuleContext;
import java.util.Map;

/** A {@link RuleContext} for rule tests over a configuration given as parsed JSON values. */
public final class TestingRuleContext implements RuleContext {

    private final String ruleId;
    private final RuleConfig config;

    public TestingRuleContext(String ruleId, Map<String, ?> config) {
        this.ruleId = ruleId;
        this.config = RuleConfig.of(config);
    }

    @Override
    public String ruleId() {
        return ruleId;
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public System.Logger logger() {
        return System.getLogger(ruleId);
    }
}
