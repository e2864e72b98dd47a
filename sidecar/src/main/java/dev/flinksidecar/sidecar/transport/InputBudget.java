package dev.flinksidecar.sidecar.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * The bytes of client input that all connections of one socket may hold at once: frames being
 * received (reserved at their length field, before their bytes are buffered) and messages decoded
 * and not yet answered (charged with their estimated heap size, {@link HeapEstimate}). A connection
 * that cannot reserve its next frame stops reading and waits its turn; the bytes that answered
 * messages and closed connections give back wake the waiters to try again.
 *
 * <p>So the heap that client input can take is bounded whatever the number of connections, their
 * frames' sizes and how slowly they send them (a frame that does not complete in time is cut off by
 * {@link FrameDecoder}, which gives its reservation back).
 *
 * <p>Threads: thread-safe; the event loops of many connections share one. Waiters are called
 * outside the lock.
 */
public final class InputBudget {

    private final long limit;
    private final String setting;
    private final Queue<Runnable> waiters = new ArrayDeque<>();
    private long used;

    /**
     * @param limit the bytes all connections may hold together
     * @param setting the option that sets {@code limit}, named in errors
     */
    public InputBudget(long limit, String setting) {
        if (limit <= 0) {
            throw new IllegalArgumentException(setting + " must be positive, not " + limit);
        }
        this.limit = limit;
        this.setting = setting;
    }

    /** A budget no input reaches, for pipelines built without one (unit tests). */
    public static InputBudget unlimited() {
        return new InputBudget(Long.MAX_VALUE, "no limit");
    }

    /** The bytes all connections may hold together. */
    public long limit() {
        return limit;
    }

    /** The option that sets the limit. */
    public String setting() {
        return setting;
    }

    /** The bytes held now. */
    public synchronized long used() {
        return used;
    }

    /**
     * Reserves {@code bytes} if they fit, else queues {@code wakeUp} to be run once bytes were
     * given back (then the caller tries again). A request over the whole limit never fits: check
     * {@link #limit()} first.
     */
    synchronized boolean reserveOrWait(long bytes, Runnable wakeUp) {
        if (used + bytes <= limit) {
            used += bytes;
            return true;
        }
        waiters.add(wakeUp);
        return false;
    }

    /** Takes {@code bytes} whether they fit or not: input already decoded. */
    synchronized void force(long bytes) {
        used += bytes;
    }

    /** Gives {@code bytes} back and wakes the waiters. */
    void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        List<Runnable> woken;
        synchronized (this) {
            used -= bytes;
            if (used < 0) {
                throw new IllegalStateException(
                        "input budget released more than it reserved (" + used + ")");
            }
            if (waiters.isEmpty()) {
                return;
            }
            woken = new ArrayList<>(waiters);
            waiters.clear();
        }
        woken.forEach(Runnable::run);
    }
}
