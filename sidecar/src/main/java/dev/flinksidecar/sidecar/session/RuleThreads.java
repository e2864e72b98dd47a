package dev.flinksidecar.sidecar.session;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run rule code for every session, and the ones among them abandoned in a
 * quarantined rule. An abandoned thread is not waited on: the pool grows by one in its place, and
 * shrinks back when it comes out of the rule. One that keeps burning CPU for longer than the grace
 * period cannot be stopped from inside the JVM, so {@link #check} then asks for a restart (the
 * operator's crash recovery makes the restart exact).
 *
 * <p>Threads: thread-safe.
 */
public final class RuleThreads implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(RuleThreads.class);

    private final ThreadPoolExecutor pool;
    private final long graceNanos;
    private final Runnable restart;
    private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    private final Map<Thread, Abandoned> abandoned = new ConcurrentHashMap<>();
    private volatile boolean restartAsked;

    private record Abandoned(long at, long cpuAt) {}

    /**
     * @param threads the threads of the pool while none is abandoned
     * @param grace how long an abandoned thread may go on burning CPU before {@code restart}
     * @param restart asks the sidecar to restart itself (called once)
     */
    public RuleThreads(int threads, ThreadFactory factory, Duration grace, Runnable restart) {
        this.pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        factory);
        this.graceNanos = grace.toNanos();
        this.restart = restart;
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** {@code thread} is stuck in a quarantined rule: another thread takes its place. */
    void abandoned(Thread thread) {
        long cpuNow = cpuTime(thread);
        abandoned.put(thread, new Abandoned(System.nanoTime(), cpuNow));
        synchronized (pool) {
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
            pool.setCorePoolSize(pool.getCorePoolSize() + 1);
        }
    }

    /** The calling thread, once abandoned, came out of the rule: the pool shrinks back. */
    void cameBack() {
        if (abandoned.remove(Thread.currentThread()) != null) {
            synchronized (pool) {
                pool.setCorePoolSize(pool.getCorePoolSize() - 1);
                pool.setMaximumPoolSize(pool.getMaximumPoolSize() - 1);
            }
            LOG.info(
                    "{} came out of the quarantined rule it was abandoned in",
                    Thread.currentThread().getName());
        }
    }

    /** Threads abandoned in a rule and not yet out of it. */
    public int abandonedCount() {
        return abandoned.size();
    }

    /**
     * Asks for a restart when an abandoned thread has burnt CPU for more than half of the grace
     * period since it was abandoned, once the grace period is over. Quick; any thread.
     */
    public void check() {
        if (restartAsked || abandoned.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<Thread, Abandoned> each : abandoned.entrySet()) {
            Thread thread = each.getKey();
            Abandoned since = each.getValue();
            if (!thread.isAlive()) {
                abandoned.remove(thread);
                continue;
            }
            if (now - since.at() < graceNanos) {
                continue;
            }
            long burnt = cpuTime(thread) - since.cpuAt();
            if (burnt * 2 > graceNanos) {
                restartAsked = true;
                LOG.error(
                        "rule thread {} is still burning CPU in a quarantined rule {} s after it was"
                                + " abandoned; the sidecar restarts itself",
                        thread.getName(),
                        (now - since.at()) / 1_000_000_000L);
                restart.run();
                return;
            }
        }
    }

    private long cpuTime(Thread thread) {
        try {
            long nanos = cpu.getThreadCpuTime(thread.getId());
            return Math.max(0, nanos);
        } catch (UnsupportedOperationException e) {
            return 0;
        }
    }

    /** Stops taking tasks once the queued ones ran. */
    public void shutdown() {
        pool.shutdown();
    }

    /** Stops the pool: queued tasks still run on their submitters (see {@link SerialExecutor}). */
    public void shutdownNow() {
        pool.shutdownNow();
    }

    /**
     * Waits for the pool to stop, or for only abandoned threads to be left running (they are never
     * waited on).
     *
     * @return false when {@code timeout} passed first
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!pool.awaitTermination(10, TimeUnit.MILLISECONDS)) {
            if (pool.getQueue().isEmpty() && pool.getActiveCount() <= abandoned.size()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
        }
        return true;
    }
}
