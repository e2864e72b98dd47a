package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.time.Duration;

/**
 * A rule version's own time budget per batch: the {@code batch-budget} of its config ({@code "5s"},
 * {@code "500ms"}), which overrides {@code sidecar.rules.batch-budget} for that rule.
 */
public final class RuleBudgets {

    /** The config key. */
    public static final String KEY = "batch-budget";

    private RuleBudgets() {}

    /**
     * The budget {@code version}'s config sets, or null when it sets none.
     *
     * @throws IllegalArgumentException when it is not a positive duration
     */
    public static Duration of(RuleVersion version) {
        if (version.rules().isEmpty()) {
            return null;
        }
        return of(version.rules().get(0).config());
    }

    /**
     * The budget {@code config} sets, or null when it sets none.
     *
     * @throws IllegalArgumentException when it is not a positive duration
     */
    public static Duration of(RuleConfig config) {
        if (!config.has(KEY)) {
            return null;
        }
        String text = config.getString(KEY, "");
        Duration budget = Durations.parse(text);
        if (budget.isZero() || budget.isNegative()) {
            throw new IllegalArgumentException(
                    "the rule config's " + KEY + " \"" + text + "\" must be a positive duration");
        }
        return budget;
    }
}
