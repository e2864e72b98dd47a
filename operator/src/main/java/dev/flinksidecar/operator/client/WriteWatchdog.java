package dev.flinksidecar.operator.client;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Breaks a write to the sidecar that can never finish: one that has waited {@code timeout} while
 * the sidecar took in no byte of it and answered nothing either (it is frozen: {@code SIGSTOP}, a
 * pause that does not end), with socket buffers full.
 *
 * <p>A blocked write holds the task thread, so a watchdog that runs in the task's mailbox cannot
 * see it; this one has a thread of its own ({@code sidecar-write-watchdog-...}). It touches no
 * operator state: when a write stalls it calls {@code onStall} (the client then closes the socket,
 * which ends the blocked write with an {@link java.nio.channels.AsynchronousCloseException}, and
 * its reader thread reports the broken session) and ends.
 *
 * <p>A write that moves slowly is backpressure, not a stall: every chunk the socket takes, and
 * every frame the sidecar answers, restarts the clock. Its thread sleeps until the earliest moment
 * a stall could be due, so it notices one at {@code timeout} after the last progress, and wakes at
 * most once per {@code timeout} while nothing is being written.
 *
 * <p>{@link #writing()}, {@link #wrote()} and {@link #written()} run on the writing (task) thread,
 * {@link #answered()} on the client's reader thread; they only set volatile fields.
 */
final class WriteWatchdog {

    /** When the write in progress started or last moved bytes ({@link System#nanoTime()}). */
    private volatile long writeProgressNanos = System.nanoTime();

    /** When the sidecar last answered anything. */
    private volatile long answerNanos = System.nanoTime();

    private volatile boolean writeInProgress;
    private volatile boolean stopped;
    private volatile Thread thread;

    /** A write starts. Writing thread. */
    void writing() {
        writeProgressNanos = System.nanoTime();
        writeInProgress = true;
    }

    /** The socket took some bytes of the write in progress. Writing thread. */
    void wrote() {
        writeProgressNanos = System.nanoTime();
    }

    /** The write is over (done or failed). Writing thread. */
    void written() {
        writeInProgress = false;
    }

    /** The sidecar answered something. Reader thread. */
    void answered() {
        answerNanos = System.nanoTime();
    }

    /**
     * Starts watching: {@code onStall} gets how long the write had made no progress, once, on the
     * watchdog's thread.
     */
    void start(Duration timeout, String threadName, LongConsumer onStall) {
        long timeoutNanos = timeout.toNanos();
        Thread watcher = new Thread(() -> watch(timeoutNanos, onStall), threadName);
        watcher.setDaemon(true);
        thread = watcher;
        watcher.start();
    }

    /** Stops watching (the client closes). Any thread; idempotent. */
    void stop() {
        stopped = true;
        Thread watcher = thread;
        if (watcher != null) {
            LockSupport.unpark(watcher);
        }
    }

    /** Watchdog thread. */
    private void watch(long timeoutNanos, LongConsumer onStall) {
        while (!stopped) {
            long sleepNanos = timeoutNanos;
            if (writeInProgress) {
                long progress = writeProgressNanos;
                long answer = answerNanos;
                long last = answer - progress > 0 ? answer : progress;
                long stalledNanos = System.nanoTime() - last;
                if (stalledNanos >= timeoutNanos) {
                    if (!stopped) {
                        onStall.accept(stalledNanos / 1_000_000);
                    }
                    return;
                }
                sleepNanos = timeoutNanos - stalledNanos;
            }
            LockSupport.parkNanos(this, sleepNanos);
        }
    }
}
