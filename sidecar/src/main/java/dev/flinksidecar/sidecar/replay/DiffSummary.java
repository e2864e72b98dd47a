package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.sidecar.diff.DiffTally;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The summary of {@code replay --candidate} on stderr: what was read and what each rule set made,
 * one line per rule (results that agree, added, removed, changed), and the verdict:
 *
 * <pre>
 * replay: 12000 events from 1 file, 4 malformed -> current: 2559 results, 0 rule failures, 0 late; candidate: 2626 results, 0 rule failures, 0 late; 1.92 s
 * diff merchant-watch: 342 agree, 0 added, 0 removed, 0 changed
 * diff threshold: 276 agree, 67 added, 0 removed, 0 changed
 * diff windowed-aggregate: 1941 agree, 0 added, 0 removed, 0 changed
 * diff: 67 differences in 1 of 3 rules, written to diff.jsonl
 * </pre>
 *
 * A rule in one set only says so: {@code diff fraud (only in the candidate: all its results are
 * added): 0 agree, 12 added, 0 removed, 0 changed}.
 */
final class DiffSummary {

    private DiffSummary() {}

    static List<String> lines(
            ReplaySummary read,
            LockstepDiff.SideCounts current,
            LockstepDiff.SideCounts candidate,
            DiffTally tally,
            Set<String> currentRules,
            Set<String> candidateRules,
            Path diff) {
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "replay: %d events from %d %s, %d malformed -> current: %s; candidate: %s; %.2f s",
                        read.events,
                        read.files,
                        read.files == 1 ? "file" : "files",
                        read.malformed,
                        side(current),
                        side(candidate),
                        read.nanos / 1e9));
        int differing = 0;
        for (Map.Entry<String, DiffTally.Counts> rule : tally.byRule().entrySet()) {
            DiffTally.Counts counts = rule.getValue();
            if (counts.differences() > 0) {
                differing++;
            }
            String id = rule.getKey();
            String onlyIn =
                    !candidateRules.contains(id)
                            ? " (only in the current rules: all its results are removed)"
                            : !currentRules.contains(id)
                                    ? " (only in the candidate: all its results are added)"
                                    : "";
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "diff %s%s: %d agree, %d added, %d removed, %d changed",
                            id,
                            onlyIn,
                            counts.agreed(),
                            counts.added(),
                            counts.removed(),
                            counts.changed()));
        }
        int rules = tally.byRule().size();
        lines.add(
                tally.differences() == 0
                        ? String.format(
                                Locale.ROOT,
                                "diff: no differences in %d %s",
                                rules,
                                rules == 1 ? "rule" : "rules")
                        : String.format(
                                Locale.ROOT,
                                "diff: %d %s in %d of %d %s, written to %s",
                                tally.differences(),
                                tally.differences() == 1 ? "difference" : "differences",
                                differing,
                                rules,
                                rules == 1 ? "rule" : "rules",
                                diff));
        return lines;
    }

    private static String side(LockstepDiff.SideCounts counts) {
        return String.format(
                Locale.ROOT,
                "%d results, %d rule %s, %d late",
                counts.results,
                counts.ruleFailures,
                counts.ruleFailures == 1 ? "failure" : "failures",
                counts.late);
    }
}
