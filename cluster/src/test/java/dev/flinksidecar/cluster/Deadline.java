package dev.flinksidecar.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting on a condition with a deadline, polling; never a sleep to synchronise. */
final class Deadline {

    private static final long POLL_MILLIS = 200;

    private final Duration timeout;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
    }

    static Deadline within(Duration timeout) {
        return new Deadline(timeout);
    }

    /**
     * Returns once {@code condition} is true; fails naming {@code what} when it is not within the
     * timeout. An exception or assertion error of the condition ends the wait at once.
     */
    void await(String what, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
