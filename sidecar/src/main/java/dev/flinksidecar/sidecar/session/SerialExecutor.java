package dev.flinksidecar.sidecar.session;

import dev.flinksidecar.sidecar.rules.running.AbandonedCall;
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

    /** The thread running this executor's tasks now (another after a take-over). */
    private volatile Thread runner;

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
        runner = Thread.currentThread();
        for (int ran = 0; ran < FAIR_SHARE; ran++) {
            if (!runTask(tasks.poll()) || queued.decrementAndGet() == 0) {
                return;
            }
        }
        schedule();
    }

    /**
     * Runs one task; false when the calling thread was abandoned in it and must let go of this
     * executor (another thread finished the task and runs the next ones).
     */
    private boolean runTask(Runnable task) {
        try {
            task.run();
        } catch (AbandonedCall e) {
            if (pool instanceof RuleThreads) {
                ((RuleThreads) pool).cameBack();
            }
            return false;
        } catch (Throwable e) {
            LOG.error("a session task failed", e);
        }
        return runner == Thread.currentThread();
    }

    /**
     * The watchdog abandoned {@code stuck}, stuck in rule code in the task running now: {@code
     * rest} finishes that task on another pool thread (the pool grows by one in the stuck one's
     * place), and the tasks after it run from there. Called once per abandoned task, on the
     * watchdog's thread.
     */
    void takeOver(Thread stuck, Runnable rest) {
        runner = null;
        if (pool instanceof RuleThreads) {
            ((RuleThreads) pool).abandoned(stuck);
        }
        Runnable continuation =
                () -> {
                    runner = Thread.currentThread();
                    if (runTask(rest) && queued.decrementAndGet() > 0) {
                        drain();
                    }
                };
        try {
            pool.execute(continuation);
        } catch (RejectedExecutionException e) {
            Thread thread = new Thread(continuation, "sidecar-rules-takeover");
            thread.setDaemon(true);
            thread.start();
        }
    }
}
