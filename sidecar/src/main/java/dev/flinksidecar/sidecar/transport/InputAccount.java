package dev.flinksidecar.sidecar.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection's share of its socket's {@link InputBudget}, and the switch that turns reading its
 * socket on and off for the several reasons a pipeline has to stop reading.
 *
 * <p>Each message is charged from the moment its frame's length is read (the frame's bytes) and
 * after it is decoded (plus its estimated heap size) until its handler says it is answered, in the
 * order the messages arrived; everything still charged is given back when the connection closes.
 *
 * <p>Threads: the connection's event loop, but for the waking up that the budget may run on another
 * connection's event loop, which only posts a task to this one.
 */
public final class InputAccount {

    /** Where the handlers of a connection's pipeline find its account. */
    public static final AttributeKey<InputAccount> KEY = AttributeKey.valueOf("input-account");

    /** Why reading is off; reading is on when no reason holds. */
    public enum Pause {
        /** The handler has as much input in hand as it may have. */
        BACKPRESSURE,
        /** The next frame waits for room in the budget. */
        BUDGET,
        /** The connection is closing: never read again. */
        STOPPED
    }

    private final Channel channel;
    private final InputBudget budget;
    private final Queue<long[]> charges = new ArrayDeque<>();
    private int pauses;

    /** The frame being received: charged, not yet handed on as a message. */
    private long[] current;

    private long held;
    private long pending;
    private boolean closed;

    InputAccount(Channel channel, InputBudget budget) {
        this.channel = channel;
        this.budget = budget;
    }

    /** Makes the account of {@code channel} and attaches it there. */
    public static InputAccount attach(Channel channel, InputBudget budget) {
        InputAccount account = new InputAccount(channel, budget);
        channel.attr(KEY).set(account);
        return account;
    }

    /** The account of {@code channel}; one on an unlimited budget if its pipeline made none. */
    public static InputAccount of(Channel channel) {
        InputAccount account = channel.attr(KEY).get();
        return account != null ? account : attach(channel, InputBudget.unlimited());
    }

    /** The budget this account draws on. */
    public InputBudget budget() {
        return budget;
    }

    /**
     * Reserves the bytes of a frame whose length was just read, or pauses reading and runs {@code
     * retry} on the event loop once the budget may have room.
     */
    boolean reserveFrame(long bytes, Runnable retry) {
        if (closed) {
            return false;
        }
        if (budget.reserveOrWait(bytes, () -> wake(retry))) {
            resume(Pause.BUDGET);
            current = new long[] {bytes};
            held += bytes;
            return true;
        }
        pause(Pause.BUDGET);
        return false;
    }

    /** Posts {@code retry} to this connection's event loop; nothing when it has stopped. */
    private void wake(Runnable retry) {
        try {
            channel.eventLoop().execute(retry);
        } catch (RejectedExecutionException stopped) {
            // the sidecar is shutting down: the connection closes with its event loop
        }
    }

    /** Adds the decoded message's estimated heap size to the charge of the frame it came in. */
    void chargeDecoded(long bytes) {
        if (current == null || closed) {
            return;
        }
        budget.force(bytes);
        current[0] += bytes;
        held += bytes;
    }

    /** The frame's message goes to the handler now; it stays charged until {@link #answered}. */
    void handedOn() {
        if (current != null) {
            charges.add(current);
            pending += current[0];
            current = null;
        }
    }

    /** The oldest message in hand is answered (or needs no answer): its bytes go back. */
    public void answered() {
        long[] charge = charges.poll();
        if (charge != null) {
            held -= charge[0];
            pending -= charge[0];
            budget.release(charge[0]);
        }
    }

    /** Bytes this connection holds: frames being received and messages not yet answered. */
    public long heldBytes() {
        return held;
    }

    /**
     * Bytes of the messages handed on and not yet answered (a frame being received not included).
     */
    public long pendingBytes() {
        return pending;
    }

    /** The connection closed: everything it held goes back, and it reserves nothing more. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        charges.clear();
        current = null;
        pending = 0;
        long bytes = held;
        held = 0;
        budget.release(bytes);
    }

    /** Stops reading for {@code reason} (until {@link #resume} for the same reason). */
    public void pause(Pause reason) {
        pauses |= 1 << reason.ordinal();
        channel.config().setAutoRead(false);
    }

    /** Reading goes on once no other reason holds it off. */
    public void resume(Pause reason) {
        int before = pauses;
        pauses &= ~(1 << reason.ordinal());
        if (pauses == 0 && before != 0) {
            channel.config().setAutoRead(true);
        }
    }

    /** True while some reason holds reading off. */
    public boolean paused() {
        return pauses != 0;
    }
}
