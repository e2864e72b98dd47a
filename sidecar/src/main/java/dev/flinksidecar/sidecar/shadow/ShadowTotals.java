package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The exact counts of one rule's shadow comparisons over the process's life, whatever candidates
 * came and went: {@code sidecar_shadow_results_total{rule, outcome}} with outcome agree, added,
 * removed, changed (results) and skipped (batches the candidate was too far behind to run).
 *
 * <p>Threads: thread-safe (LongAdders, read at scrape time).
 */
final class ShadowTotals {

    static final String METRIC = "sidecar.shadow.results";

    private final LongAdder agree = new LongAdder();
    private final LongAdder added = new LongAdder();
    private final LongAdder removed = new LongAdder();
    private final LongAdder changed = new LongAdder();
    private final LongAdder skipped = new LongAdder();

    /** Registers the rule's five series in {@code metrics}. */
    ShadowTotals(String rule, SidecarMetrics metrics) {
        register(metrics, rule, "agree", agree);
        register(metrics, rule, "added", added);
        register(metrics, rule, "removed", removed);
        register(metrics, rule, "changed", changed);
        register(metrics, rule, "skipped", skipped);
    }

    private static void register(
            SidecarMetrics metrics, String rule, String outcome, LongAdder count) {
        metrics.counter(
                METRIC,
                "results of a shadowed candidate version compared with the active version's, by"
                        + " outcome; skipped counts batches the candidate was too far behind to run",
                List.of("rule", rule, "outcome", outcome),
                count,
                LongAdder::sum);
    }

    void add(ResultComparison.Outcomes outcomes) {
        agree.add(outcomes.agree());
        added.add(outcomes.added());
        removed.add(outcomes.removed());
        changed.add(outcomes.changed());
    }

    void skipped() {
        skipped.increment();
    }
}
