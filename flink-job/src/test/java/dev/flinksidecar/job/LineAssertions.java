package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Comparisons of output lines that say briefly what differs: thousands of lines would drown a plain
 * {@code containsExactlyInAnyOrder} message.
 */
public final class LineAssertions {

    private static final int SHOWN = 8;

    private LineAssertions() {}

    /** The same lines as a multiset, and per key in the same order ({@link JobOutput#perKey}). */
    public static void assertSameLines(String what, List<String> actual, List<String> expected) {
        assertSameMultiset(what, actual, expected);
        assertSameOrderPerKey(what, actual, expected);
    }

    /** The same lines, each as often, in any order. */
    public static void assertSameMultiset(String what, List<String> actual, List<String> expected) {
        Map<String, Integer> counts = new HashMap<>();
        expected.forEach(line -> counts.merge(line, 1, Integer::sum));
        actual.forEach(line -> counts.merge(line, -1, Integer::sum));
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        counts.forEach(
                (line, n) -> {
                    for (int i = 0; i < Math.abs(n); i++) {
                        (n > 0 ? missing : unexpected).add(line);
                    }
                });
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            fail(
                    "%s: %d lines expected, %d found; %d missing, e.g.%n  %s%n%d unexpected, e.g.%n  %s",
                    what,
                    expected.size(),
                    actual.size(),
                    missing.size(),
                    head(missing),
                    unexpected.size(),
                    head(unexpected));
        }
    }

    /** For every key, its lines in the same order. */
    public static void assertSameOrderPerKey(
            String what, List<String> actual, List<String> expected) {
        Map<String, List<String>> a = JobOutput.perKey(actual);
        Map<String, List<String>> e = JobOutput.perKey(expected);
        for (String key : new TreeSet<>(e.keySet())) {
            List<String> got = a.getOrDefault(key, List.of());
            if (!got.equals(e.get(key))) {
                int at = 0;
                while (at < got.size()
                        && at < e.get(key).size()
                        && got.get(at).equals(e.get(key).get(at))) {
                    at++;
                }
                fail(
                        "%s: the lines of key %s differ from line %d on:%n expected %s%n found    %s",
                        what,
                        key,
                        at,
                        head(e.get(key).subList(at, e.get(key).size())),
                        head(got.subList(Math.min(at, got.size()), got.size())));
            }
        }
        TreeSet<String> extra = new TreeSet<>(a.keySet());
        extra.removeAll(e.keySet());
        if (!extra.isEmpty()) {
            fail("%s: lines for unexpected keys %s", what, extra);
        }
    }

    private static String head(List<String> lines) {
        List<String> shown = lines.subList(0, Math.min(SHOWN, lines.size()));
        return String.join(System.lineSeparator() + "  ", shown)
                + (lines.size() > SHOWN ? " ..." : "");
    }
}
