package dev.flinksidecar.sidecar.replay;

import java.util.Locale;

/** What one {@code replay} run read and wrote, for its one-line summary on stderr. */
final class ReplaySummary {

    long files;
    long events;
    long malformed;
    long results;
    long ruleFailures;
    long late;
    long nanos;

    long deadLetters() {
        return malformed + ruleFailures;
    }

    /**
     * E.g. {@code replay: 10000 events from 1 file -> 523 results, 3 dead letters (2 malformed, 1
     * rule failure), 0 late, 0.42 s}.
     */
    String line(boolean deadLettersWritten) {
        return String.format(
                Locale.ROOT,
                "replay: %d events from %d %s -> %d results, %d dead letters (%d malformed, %d rule %s)%s, %d late, %.2f s",
                events,
                files,
                files == 1 ? "file" : "files",
                results,
                deadLetters(),
                malformed,
                ruleFailures,
                ruleFailures == 1 ? "failure" : "failures",
                deadLettersWritten || deadLetters() == 0
                        ? ""
                        : " not written: no --dead-letter-output",
                late,
                nanos / 1e9);
    }
}
