package dev.flinksidecar.job.local;

import java.time.Duration;

/**
 * How long {@link SupervisedSidecar} waits before it starts a child again: {@code first} after a
 * child that ran at least {@code resetAfter} (or the first time), otherwise twice the previous
 * wait, never more than {@code max}. A child that dies at once every time (a broken rules folder, a
 * bad flag) is then started a few times a second at first and every {@code max} after that, while a
 * child that crashes once in a long while comes back after {@code first}.
 *
 * @param first the first wait, and the wait after a child that stayed up
 * @param max the longest wait
 * @param resetAfter how long a child must have been ready for the next wait to start again at
 *     {@code first}
 */
record RestartBackoff(Duration first, Duration max, Duration resetAfter) {

    /** 100 ms doubling up to 5 s; back to 100 ms after a child that served for 30 s. */
    static final RestartBackoff DEFAULT =
            new RestartBackoff(
                    Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30));

    RestartBackoff {
        if (first.isNegative()
                || first.isZero()
                || max.compareTo(first) < 0
                || resetAfter.isNegative()) {
            throw new IllegalArgumentException(
                    "restart backoff needs 0 < first <= max and resetAfter >= 0, got first "
                            + first
                            + ", max "
                            + max
                            + ", resetAfter "
                            + resetAfter);
        }
    }

    /**
     * The wait before the next start.
     *
     * @param previous the previous wait, or null when the child has not been restarted yet
     * @param ready how long the child that just exited had been ready (zero when it never was)
     */
    Duration next(Duration previous, Duration ready) {
        if (previous == null || ready.compareTo(resetAfter) >= 0) {
            return first;
        }
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(max) > 0 ? max : doubled;
    }
}
