package dev.flinksidecar.sidecar.shadow;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a windowed candidate may be promoted: once, in every session that runs it, the watermark has
 * moved on by its window size plus allowed lateness (its {@code span}) since the candidate began
 * there, so every window it holds has seen all of its events. A session whose shadow skipped a
 * batch starts over from the batch after the skip, since its windows missed those events. A
 * per-event candidate ({@code span} 0) may always be promoted.
 *
 * <p>Threads: thread-safe; shadow threads report, the admin thread asks.
 */
final class PromoteGate {

    private final long span;

    /** Per session: the first watermark since the start (or last skip), and the latest. */
    private final Map<String, long[]> progress = new ConcurrentHashMap<>();

    /**
     * @param span window size (a session window's gap) plus allowed lateness, ms; 0: per-event
     */
    PromoteGate(long span) {
        this.span = span;
    }

    /** Window size plus allowed lateness, ms; 0 for a per-event candidate. */
    long span() {
        return span;
    }

    /** Session {@code session} begins running the candidate (or begins again after a skip). */
    void started(String session) {
        progress.put(session, new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
    }

    /** Shadow thread: session {@code session}'s candidate has run up to watermark {@code wm}. */
    void watermark(String session, long wm) {
        progress.computeIfPresent(
                session,
                (s, p) -> {
                    if (p[0] == Long.MIN_VALUE) {
                        p[0] = wm;
                    }
                    p[1] = Math.max(p[1], wm);
                    return p;
                });
    }

    /** The session's candidate skipped a batch: its windows missed events, so it starts over. */
    void skipped(String session) {
        started(session);
    }

    /** The session ended: it no longer holds a promote back. */
    void ended(String session) {
        progress.remove(session);
    }

    /**
     * Event time, in ms, left before the candidate may be promoted: 0 when it may; the whole span
     * when no session runs it yet or one has seen no watermark since it began.
     */
    long waitMillis() {
        if (span <= 0) {
            return 0;
        }
        if (progress.isEmpty()) {
            return span;
        }
        long wait = 0;
        for (long[] p : progress.values()) {
            long ran = p[0] == Long.MIN_VALUE ? 0 : p[1] == Long.MAX_VALUE ? span : p[1] - p[0];
            wait = Math.max(wait, ran >= span ? 0 : span - ran);
        }
        return wait;
    }
}
