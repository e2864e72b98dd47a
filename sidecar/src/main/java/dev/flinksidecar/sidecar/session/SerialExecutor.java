package dev.flinksidecar.sidecar.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: one per session, so a session's
 * batches stay in order while sessions run in parallel on the rule threads. Each task
 * happens-before the next one, even when they run on different pool threads.
 *
 * <p>After {@value #FAIR_SHARE} tasks in a row it gives its pool thread back (resubmits itself), so
 * a busy session cannot starve the others when there are more sessions than rule threads.
 *
 * <p>Threads: {@link #execute} may be called from any thread; tasks run on the pool. When the pool
 * refuses work (it is shut down) the tasks run on the submitting thread, so cleanup tasks are never
 * lost at shutdown.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    static final int FAIR_SHARE = 16;

    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    /** Tasks submitted and not yet run; the submitter that raises it from 0 schedules the drain. */
    private final AtomicInteger queued = new AtomicInteger();

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (queued.getAndIncrement() == 0) {
            schedule();
        }
    }

    private void schedule() {
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            drain();
        }
    }

    private void drain() {
        for (int ran = 0; ran < FAIR_SHARE; ran++) {
            Runnable task = tasks.poll();
            try {
                task.run();
            } catch (Throwable e) {
                LOG.error("a session task failed", e);
            }
            if (queued.decrementAndGet() == 0) {
                return;
            }
        }
        schedule();
    }
}
