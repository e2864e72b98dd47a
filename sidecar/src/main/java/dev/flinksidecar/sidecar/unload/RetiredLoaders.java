package dev.flinksidecar.sidecar.unload;

import dev.flinksidecar.proto.LeakedLoader;
import dev.flinksidecar.proto.LoaderStatus;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the classloaders of retired rule versions until the garbage collector has collected them,
 * and reports those it does not collect in time: a rule that left a thread running, a thread-local,
 * a shutdown hook or a JDBC driver behind keeps its whole loader, every class of its jar, in
 * memory; swap such a rule often enough and Metaspace runs out.
 *
 * <pre>
 *   retire(loader)   loader already closed; watched through a weak reference only
 *   check()          collected ones leave; those older than the deadline get one GC hint
 *                    (System.gc()), and if still there are reported as leaked, with what
 *                    holds them (LoaderHolders), in the log and in status
 * </pre>
 *
 * <p>Thread-safe. {@link #check} runs on the sidecar's admin thread every {@code
 * sidecar.rules.unload-check-interval}, and on demand for {@code status}.
 */
public final class RetiredLoaders {

    private static final Logger LOG = LoggerFactory.getLogger(RetiredLoaders.class);

    private final long deadlineNanos;
    private final LongSupplier nanoTime;
    private final LongSupplier clock;
    private final ReferenceQueue<ClassLoader> queue = new ReferenceQueue<>();
    private final List<Retired> watched = new ArrayList<>();
    private long collected;

    /**
     * @param deadline how long a retired loader may stay uncollected before it counts as leaked
     * @param nanoTime a monotonic clock ({@link System#nanoTime})
     * @param clock epoch milliseconds, for status
     */
    public RetiredLoaders(Duration deadline, LongSupplier nanoTime, LongSupplier clock) {
        this.deadlineNanos = deadline.toNanos();
        this.nanoTime = nanoTime;
        this.clock = clock;
    }

    /** Starts watching a retired (closed) loader. Any thread. */
    public synchronized void retire(ClassLoader loader) {
        watched.add(new Retired(loader, queue, nanoTime.getAsLong(), clock.getAsLong()));
    }

    /**
     * Forgets the collected loaders; for those past the deadline, hints a GC once, then reports the
     * ones still there. With {@code forceGc}, hints a GC first whatever their age.
     */
    public void check(boolean forceGc) {
        if (forceGc) {
            System.gc();
        }
        List<Retired> overdue = overdue();
        if (overdue.isEmpty()) {
            return;
        }
        System.gc(); // once for all the newly overdue: the next check only reports
        synchronized (this) {
            drain();
            for (Retired retired : overdue) {
                ClassLoader loader = retired.get();
                if (loader == null || !watched.contains(retired)) {
                    continue;
                }
                retired.holders = LoaderHolders.describe(loader);
                LOG.warn(
                        "retired rule classloader {} is still not collected {} after it was closed; {}",
                        retired.name,
                        Duration.ofNanos(nanoTime.getAsLong() - retired.retiredNanos),
                        retired.holders.isEmpty()
                                ? "no holder found among threads, thread-locals, shutdown hooks and JDBC drivers"
                                : "held by: " + String.join("; ", retired.holders));
            }
        }
    }

    private synchronized List<Retired> overdue() {
        drain();
        List<Retired> overdue = new ArrayList<>();
        long now = nanoTime.getAsLong();
        for (Retired retired : watched) {
            if (retired.holders == null && now - retired.retiredNanos >= deadlineNanos) {
                overdue.add(retired);
            }
        }
        return overdue;
    }

    /**
     * Forgets the collected loaders: those queued, and those cleared but not queued yet (right
     * after a GC).
     */
    private void drain() {
        while (queue.poll() != null) {
            // the sweep below counts them
        }
        for (Iterator<Retired> it = watched.iterator(); it.hasNext(); ) {
            Retired retired = it.next();
            if (retired.refersTo(null)) {
                it.remove();
                collected++;
                if (retired.holders != null) {
                    LOG.info("retired rule classloader {} was collected after all", retired.name);
                } else {
                    LOG.info(
                            "retired rule classloader {} collected {} after it was closed",
                            retired.name,
                            Duration.ofMillis(
                                    Math.max(0, clock.getAsLong() - retired.retiredAtMs)));
                }
            }
        }
    }

    /**
     * Retired loaders not collected yet: within the deadline ({@code leaked} false) or reported as
     * leaked. For metrics.
     */
    public synchronized int uncollected(boolean leaked) {
        drain();
        int count = 0;
        for (Retired retired : watched) {
            if ((retired.holders != null) == leaked) {
                count++;
            }
        }
        return count;
    }

    /** Retired loaders collected so far. */
    public synchronized long collected() {
        drain();
        return collected;
    }

    /** The numbers and the leaks, for {@code status}. */
    public synchronized LoaderStatus status() {
        drain();
        LoaderStatus.Builder status = LoaderStatus.newBuilder().setCollected(collected);
        int waiting = 0;
        for (Iterator<Retired> it = watched.iterator(); it.hasNext(); ) {
            Retired retired = it.next();
            if (retired.holders == null) {
                waiting++;
            } else {
                status.addLeaked(
                        LeakedLoader.newBuilder()
                                .setName(retired.name)
                                .setRetiredAtMs(retired.retiredAtMs)
                                .addAllHolders(retired.holders));
            }
        }
        return status.setWaiting(waiting).build();
    }

    /** One watched loader: a weak reference, so watching never keeps it. */
    private static final class Retired extends WeakReference<ClassLoader> {
        final String name;
        final long retiredNanos;
        final long retiredAtMs;

        /** Null while within the deadline; what holds it once reported. */
        List<String> holders;

        Retired(
                ClassLoader loader,
                ReferenceQueue<ClassLoader> queue,
                long retiredNanos,
                long retiredAtMs) {
            super(loader, queue);
            this.name = loader.getName() == null ? loader.toString() : loader.getName();
            this.retiredNanos = retiredNanos;
            this.retiredAtMs = retiredAtMs;
        }
    }
}
