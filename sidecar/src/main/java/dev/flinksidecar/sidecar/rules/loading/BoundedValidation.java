package dev.flinksidecar.sidecar.rules.loading;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Validates a rule jar (loads it, opens its rules, runs its self-test: rule code) on a thread of
 * its own with a deadline, so that a rule whose {@code open} loops or fills the heap is refused in
 * bounded time instead of holding the admin thread, and every later admin request, for good. A
 * validation past the deadline is interrupted and abandoned, never waited on.
 *
 * <p>Threads: any; each call starts one daemon thread.
 */
public final class BoundedValidation {

    /** What is validated; may run rule code. */
    public interface Validation {
        RuleJar run() throws RuleLoadException;
    }

    private BoundedValidation() {}

    private static void closeQuietly(RuleJar jar) {
        try {
            jar.close();
        } catch (IOException | RuntimeException e) {
            // the refusal said enough; a jar validated too late is only let go of
        }
    }

    /**
     * Runs {@code validation} within {@code timeout}.
     *
     * @param jarName names the jar in the refusal
     * @throws RuleLoadException what the validation threw, or the deadline passing; an unchecked
     *     exception or {@link Error} it ended with is rethrown as it was
     */
    public static RuleJar run(String jarName, Duration timeout, Validation validation)
            throws RuleLoadException {
        CompletableFuture<RuleJar> done = new CompletableFuture<>();
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                done.complete(validation.run());
                            } catch (Throwable e) {
                                done.completeExceptionally(e);
                            }
                        },
                        "sidecar-validate-".concat(jarName));
        thread.setDaemon(true);
        thread.start();
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            done.thenAccept(BoundedValidation::closeQuietly); // if it ever finishes
            throw new RuleLoadException(
                    "rule jar "
                            + jarName
                            + ": validation (loading it, opening its rules, its self-test) did not"
                            + " finish within "
                            + timeout.toMillis()
                            + " ms (sidecar.rules.validation-timeout); a rule's open() or its"
                            + " self-test may loop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
            throw new RuleLoadException("rule jar " + jarName + ": validation interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuleLoadException) {
                throw (RuleLoadException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause; // the caller makes it the jar's refusal, as on its own thread
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new RuleLoadException(
                    "rule jar " + jarName + ": validation failed: " + Reasons.of(cause),
                    Reasons.stack(cause),
                    cause);
        }
    }
}
