package dev.flinksidecar.sidecar;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline, re-checking it every few milliseconds; never a fixed
 * sleep.
 */
public final class Deadline {

    private Deadline() {}

    /**
     * Returns as soon as {@code condition} holds; fails with {@code what} when it does not within
     * {@code timeout}.
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
