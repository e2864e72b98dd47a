package dev.flinksidecar.sidecar.diff;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many results of each rule agree, were added, removed or changed, by rule id in id order. Not
 * thread-safe: the thread that drives the {@link ResultDiffer} owns it.
 */
public final class DiffTally {

    /** The counts of one rule. */
    public static final class Counts {
        private long agreed;
        private long added;
        private long removed;
        private long changed;

        public long agreed() {
            return agreed;
        }

        public long added() {
            return added;
        }

        public long removed() {
            return removed;
        }

        public long changed() {
            return changed;
        }

        /** Added, removed and changed results. */
        public long differences() {
            return added + removed + changed;
        }
    }

    private final Map<String, Counts> byRule = new TreeMap<>();

    /** Lists {@code rule} with zero counts, so a rule without results shows too. */
    public void rule(String rule) {
        counts(rule);
    }

    void agreed(String rule) {
        counts(rule).agreed++;
    }

    void count(Difference difference) {
        Counts counts = counts(difference.id().rule());
        switch (difference.change()) {
            case ADDED:
                counts.added++;
                break;
            case REMOVED:
                counts.removed++;
                break;
            default:
                counts.changed++;
        }
    }

    private Counts counts(String rule) {
        return byRule.computeIfAbsent(rule, r -> new Counts());
    }

    /** The counts by rule id, in id order; a view. */
    public Map<String, Counts> byRule() {
        return Collections.unmodifiableMap(byRule);
    }

    /** The differences over every rule. */
    public long differences() {
        long sum = 0;
        for (Counts counts : byRule.values()) {
            sum += counts.differences();
        }
        return sum;
    }
}
