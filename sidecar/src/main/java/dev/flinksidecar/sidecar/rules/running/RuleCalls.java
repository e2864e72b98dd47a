package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.window.GuardedWrites;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where one engine's thread is, for the {@link RuleWatchdog}: in engine code, or in a call into
 * rule code (which rule), and the handshake that lets the watchdog abandon a thread stuck in such a
 * call without ever racing with it.
 *
 * <p>One word says it all: the id of the engine's thread (high half) and its count of calls (low
 * half). Count even: the thread is in engine code. Odd: it is in a call into the rule at table
 * index {@link #rule()}; with {@code WRITING} set, inside the engine's own code writing what the
 * engine shares (a result, a changed key) on that rule's behalf. {@link #ABANDONED}: the watchdog
 * took the batch over. The thread enters a call with a release store and leaves it, and starts
 * every shared write, with a compare-and-set of the exact word it expects, thread id included, so
 * once the watchdog has swapped in {@code ABANDONED} (which it can only do from a plain odd word)
 * the stuck thread can write nothing shared again, even after another thread took over and counts
 * on: its next exit or write throws {@link AbandonedCall}. Everything it wrote before
 * happens-before the watchdog's swap.
 *
 * <p>The cost on the engine's thread is one store and one compare-and-set per call, and one
 * compare-and-set and one store per shared write inside a call.
 *
 * <p>Threads: {@link #enter}, {@link #exit}, {@link #begin}, {@link #end} and {@link #takeOver} on
 * the engine's thread (the one that owns the batch); {@link #current()}, {@link #rule()} and {@link
 * #abandon} on the watchdog's.
 */
final class RuleCalls implements GuardedWrites {

    static final long ABANDONED = -1;
    private static final long WRITING = 1L << 31;
    private static final long COUNT = WRITING - 1;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RuleCalls.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile long state;

    /** The owning thread's count of calls, even; only the owner writes it. */
    private long calls;

    /** The table index of the rule of the current call; read after an acquire of the state. */
    private int rule = -1;

    /** The word of the calling thread at count {@code count}. */
    private static long word(long count) {
        return (Thread.currentThread().getId() << 32) | (count & COUNT);
    }

    /**
     * Engine thread, at each entry into the engine: from here on the calling thread owns the word
     * (a session's tasks run on any thread of the pool, one at a time).
     */
    void own() {
        STATE.setRelease(this, word(calls));
    }

    /** Engine thread: about to call the rule at table index {@code rule}. */
    void enter(int rule) {
        this.rule = rule;
        calls = (calls + 2) & COUNT & ~1L;
        STATE.setRelease(this, word(calls | 1));
    }

    /**
     * Engine thread: back from the call.
     *
     * @throws AbandonedCall when the watchdog has taken the batch over meanwhile
     */
    void exit() {
        if (!STATE.compareAndSet(this, word(calls | 1), word(calls + 2))) {
            throw new AbandonedCall();
        }
        calls = (calls + 2) & COUNT;
    }

    /**
     * Engine thread: about to write what the engine shares. Inside a call it claims the word;
     * outside any call there is nothing to guard.
     *
     * @throws AbandonedCall when this thread was abandoned
     */
    @Override
    public void begin() {
        long inCall = word(calls | 1);
        if (STATE.compareAndSet(this, inCall, inCall | WRITING)) {
            return;
        }
        if ((long) STATE.getAcquire(this) != word(calls)) {
            throw new AbandonedCall();
        }
    }

    /** Engine thread: the shared write begun by {@link #begin} is done. */
    @Override
    public void end() {
        long writing = word(calls | 1) | WRITING;
        if ((long) STATE.getOpaque(this) == writing) {
            STATE.setRelease(this, writing & ~WRITING);
        }
    }

    /** Watchdog: the word now, {@code WRITING} cleared: odd while the thread is in a call. */
    long current() {
        return ((long) STATE.getAcquire(this)) & ~WRITING;
    }

    /** Whether {@code word} (from {@link #current()}) is a call, not engine code or abandoned. */
    static boolean inCall(long word) {
        return word != ABANDONED && (word & 1) == 1;
    }

    /** Watchdog: the table index of the rule of the call {@link #current()} returned. */
    int rule() {
        return rule;
    }

    /**
     * Watchdog: takes the batch away from a thread stuck in the call of {@code word}.
     *
     * @return false when the thread left that call (or is writing) in the meantime
     */
    boolean abandon(long word) {
        return inCall(word) && STATE.compareAndSet(this, word, ABANDONED);
    }

    /** The thread that takes an abandoned batch over: from here it owns the calls. */
    void takeOver() {
        calls = (calls + 2) & COUNT & ~1L;
        STATE.setRelease(this, word(calls));
    }
}
