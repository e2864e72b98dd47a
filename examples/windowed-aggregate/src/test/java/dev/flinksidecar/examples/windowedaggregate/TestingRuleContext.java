package dev.flinksidecar.examples.windowedaggregate;

import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.RuleContext;
import java.util.Map;

/** A {@link RuleContext} over a configuration given as parsed JSON values. */
final class TestingRuleContext implements RuleContext {

    private final RuleConfig config;

    TestingRuleContext(Map<String, ?> config) {
        this.config = RuleConfig.of(config);
    }

    @Override
    public String ruleId() {
        return "windowed-aggregate";
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
        return System.getLogger("windowed-aggregate");
    }
}
