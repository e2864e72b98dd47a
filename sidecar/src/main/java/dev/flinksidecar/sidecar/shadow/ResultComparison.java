package dev.flinksidecar.sidecar.shadow;

import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.WindowFiring;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares one rule's results of one batch from two versions: the active one and a candidate in
 * shadow. Results are matched by key and time (window results: by key, window start and end); for
 * one match key, in the order each version gave them. A matched pair agrees when its attributes
 * (and a window's value and count) are equal, numbers within a relative {@link #TOLERANCE};
 * versions are never compared (they always differ).
 *
 * <pre>
 *   active    a1(k1,t1) a2(k2,t2)            candidate  c1(k1,t1) c3(k3,t3)
 *   a1~c1 equal attributes: agree; differing: changed; a2 alone: removed; c3 alone: added
 * </pre>
 *
 * <p>Threads: stateless; {@link #compare} may run on any thread.
 */
public final class ResultComparison {

    /** Relative difference under which two numbers are the same: rounding, not a change. */
    public static final double TOLERANCE = 1e-9;

    /** What became of one result. */
    public enum Outcome {
        AGREE,
        ADDED,
        REMOVED,
        CHANGED;

        /** The label in metrics and reports: agree, added, removed, changed. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One difference: {@code active} is null when added, {@code candidate} when removed. */
    public record Difference(Outcome outcome, Result active, Result candidate) {}

    /** The outcome of one comparison: exact counts, and every difference in order. */
    public record Outcomes(
            long agree, long added, long removed, long changed, List<Difference> differences) {}

    private ResultComparison() {}

    /**
     * Compares {@code active} with {@code candidate}, both one rule's results of the same batch in
     * the order they were given.
     */
    public static Outcomes compare(List<Result> active, List<Result> candidate) {
        Map<MatchKey, ArrayDeque<Result>> unmatched = new LinkedHashMap<>();
        for (Result c : candidate) {
            unmatched.computeIfAbsent(MatchKey.of(c), k -> new ArrayDeque<>()).add(c);
        }
        long agree = 0;
        long changed = 0;
        long removed = 0;
        List<Difference> differences = new ArrayList<>();
        for (Result a : active) {
            ArrayDeque<Result> same = unmatched.get(MatchKey.of(a));
            Result c = same == null ? null : same.poll();
            if (c == null) {
                removed++;
                differences.add(new Difference(Outcome.REMOVED, a, null));
            } else if (sameAttributes(a, c)) {
                agree++;
            } else {
                changed++;
                differences.add(new Difference(Outcome.CHANGED, a, c));
            }
        }
        long added = 0;
        for (ArrayDeque<Result> left : unmatched.values()) {
            for (Result c : left) {
                added++;
                differences.add(new Difference(Outcome.ADDED, null, c));
            }
        }
        return new Outcomes(agree, added, removed, changed, differences);
    }

    /** True when both results have the same attributes and window aggregate, within tolerance. */
    static boolean sameAttributes(Result a, Result b) {
        if (a.hasWindow()) {
            WindowFiring x = a.getWindow();
            WindowFiring y = b.getWindow();
            if (x.getCount() != y.getCount() || !close(x.getValue(), y.getValue())) {
                return false;
            }
        }
        if (a.getAttributesCount() != b.getAttributesCount()) {
            return false;
        }
        Map<String, Attribute> byName = new HashMap<>();
        for (Attribute attribute : b.getAttributesList()) {
            byName.put(attribute.getName(), attribute);
        }
        for (Attribute x : a.getAttributesList()) {
            Attribute y = byName.get(x.getName());
            if (y == null || !sameValue(x, y)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameValue(Attribute x, Attribute y) {
        if (isNumber(x) && isNumber(y)) {
            if (x.hasLongValue() && y.hasLongValue()) {
                return x.getLongValue() == y.getLongValue();
            }
            return close(number(x), number(y));
        }
        if (x.getValueCase() != y.getValueCase()) {
            return false;
        }
        return switch (x.getValueCase()) {
            case STRING_VALUE -> x.getStringValue().equals(y.getStringValue());
            case BOOL_VALUE -> x.getBoolValue() == y.getBoolValue();
            default -> true;
        };
    }

    private static boolean isNumber(Attribute a) {
        return a.hasLongValue() || a.hasDoubleValue();
    }

    private static double number(Attribute a) {
        return a.hasLongValue() ? a.getLongValue() : a.getDoubleValue();
    }

    /** Equal, both NaN, or within {@link #TOLERANCE} of the larger magnitude. */
    static boolean close(double x, double y) {
        if (x == y || (Double.isNaN(x) && Double.isNaN(y))) {
            return true;
        }
        double scale = Math.max(Math.abs(x), Math.abs(y));
        return Math.abs(x - y) <= TOLERANCE * scale;
    }

    /** What a result is matched by: its key and time, or its key and window. */
    private record MatchKey(String key, long time, long windowStart, long windowEnd) {
        static MatchKey of(Result r) {
            if (r.hasWindow()) {
                return new MatchKey(
                        r.getKey(),
                        Long.MIN_VALUE,
                        r.getWindow().getStart(),
                        r.getWindow().getEnd());
            }
            return new MatchKey(r.getKey(), r.getTime(), 0, 0);
        }
    }
}
