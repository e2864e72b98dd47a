package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds every session's rules to their time budget per batch, from one thread of its own.
 *
 * <p>Every tick it looks at where each engine's thread is ({@link RuleCalls}): in a call into rule
 * {@code r}, the tick counts for {@code r} in the batch running. A rule whose ticks in one batch
 * reach its budget ({@code sidecar.rules.batch-budget}, or its own {@code batch-budget}) is
 * quarantined: when the engine's thread has spent the whole budget in the call it is in, it is
 * stuck there and is abandoned (interrupted, never waited on) while another thread finishes the
 * batch ({@link RuleEngine#abandon}); otherwise the engine's thread quarantines the rule itself at
 * its next event ({@link RuleEngine#request}). Sampling costs the engine's thread nothing beyond
 * {@link RuleCalls}, and a rule slow on every event is caught as surely as one stuck on one.
 *
 * <p>Threads: {@link #watch} and {@link #unwatch} from any thread; the rest on its own daemon
 * thread, {@code sidecar-rule-watchdog}.
 */
public final class RuleWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleWatchdog.class);

    private final long defaultBudgetNanos;
    private final Function<RuleVersion, Duration> budgets;
    private final long tickNanos;
    private final Map<RuleEngine, Watched> engines = new ConcurrentHashMap<>();
    private final List<Runnable> everyTick = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final CrashRecord record;
    private volatile boolean closed;

    /** What the watchdog keeps of one engine between ticks: its thread only. */
    private static final class Watched {
        final int slot;
        long batch = -1;
        long lastWord;
        long ticksInCall;
        long[] ticks = new long[8];
        final BitSet requested = new BitSet();

        Watched(int slot) {
            this.slot = slot;
        }
    }

    /**
     * @param defaultBudget the time a rule may take on one batch unless its config says otherwise
     * @param budgets a version's own budget, or null to use the default
     */
    public RuleWatchdog(Duration defaultBudget, Function<RuleVersion, Duration> budgets) {
        this(defaultBudget, budgets, null);
    }

    /**
     * As {@link #RuleWatchdog(Duration, Function)}, writing the rule versions found deep in a call
     * to {@code record}, for the next start should the sidecar die in one.
     */
    public RuleWatchdog(
            Duration defaultBudget, Function<RuleVersion, Duration> budgets, CrashRecord record) {
        this.record = record;
        this.defaultBudgetNanos = defaultBudget.toNanos();
        this.budgets = budgets;
        // 20 ticks per budget, between 5 ms and 100 ms
        this.tickNanos = Math.max(5_000_000L, Math.min(100_000_000L, defaultBudgetNanos / 20));
        this.thread = new Thread(this::loop, "sidecar-rule-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts watching {@code engine}'s batches. */
    public void watch(RuleEngine engine) {
        engines.put(engine, new Watched(record == null ? -1 : record.takeSlot()));
    }

    /** Stops watching {@code engine}. */
    public void unwatch(RuleEngine engine) {
        Watched watched = engines.remove(engine);
        if (watched != null && record != null) {
            record.giveBack(watched.slot);
        }
    }

    /** Runs {@code check} on the watchdog's thread at every tick (it must be quick). */
    public void everyTick(Runnable check) {
        everyTick.add(check);
    }

    private void loop() {
        long tickMillis = Math.max(1, tickNanos / 1_000_000);
        while (!closed) {
            try {
                Thread.sleep(tickMillis);
                tick();
                for (Runnable check : everyTick) {
                    check.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("the rule watchdog's tick failed; it goes on", e);
            }
        }
    }

    private void tick() {
        for (Map.Entry<RuleEngine, Watched> each : engines.entrySet()) {
            look(each.getKey(), each.getValue());
        }
    }

    private void look(RuleEngine engine, Watched watched) {
        long batch = engine.batches;
        if ((batch & 1) == 0) {
            forget(watched);
            return; // between batches
        }
        if (batch != watched.batch) {
            watched.batch = batch;
            Arrays.fill(watched.ticks, 0);
            watched.lastWord = 0;
            watched.ticksInCall = 0;
            watched.requested.clear();
        }
        long word = engine.calls.current();
        int rule = engine.calls.rule();
        RunningRule running = RuleCalls.inCall(word) ? engine.runningAt(rule) : null;
        if (running == null || running instanceof QuarantinedRule) {
            watched.lastWord = word;
            watched.ticksInCall = 0;
            forget(watched);
            return;
        }
        if (rule >= watched.ticks.length) {
            watched.ticks = Arrays.copyOf(watched.ticks, rule + 8);
        }
        long budget = budgetOf(running.blamed());
        watched.ticksInCall = word == watched.lastWord ? watched.ticksInCall + 1 : 1;
        watched.lastWord = word;
        long spent = ++watched.ticks[rule] * tickNanos;
        if (record != null && watched.ticksInCall >= 2) {
            record.inLongCall(
                    watched.slot,
                    running.blamed(),
                    engine.sessionName()
                            + ", batch "
                            + Long.toUnsignedString(engine.sequence)
                            + ", in one call for "
                            + text(watched.ticksInCall * tickNanos)
                            + " or more");
        } else {
            forget(watched);
        }
        String reason = text(budget) + " budget exceeded on one batch";
        if (watched.ticksInCall * tickNanos >= budget) {
            // stuck: this one call took the whole budget
            Thread abandoned = engine.abandon(word, reason);
            if (abandoned != null) {
                LOG.warn(
                        "rule {} stuck past its {} budget in thread {}: quarantined, the thread"
                                + " abandoned (interrupted) and the batch finished on another",
                        running.blamed(),
                        text(budget),
                        abandoned.getName());
                abandoned.interrupt();
                return;
            }
        }
        if (spent >= budget && !watched.requested.get(rule)) {
            watched.requested.set(rule);
            engine.request(batch, rule, reason);
        }
    }

    private void forget(Watched watched) {
        if (record != null) {
            record.clear(watched.slot);
        }
    }

    private long budgetOf(RuleVersion version) {
        try {
            Duration own = budgets.apply(version);
            return own != null ? own.toNanos() : defaultBudgetNanos;
        } catch (IllegalArgumentException e) {
            return defaultBudgetNanos; // refused at deploy; a fixed rule set may still hold one
        }
    }

    /** "2 s", "250 ms". */
    static String text(long nanos) {
        long millis = nanos / 1_000_000;
        return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
