package dev.flinksidecar.sidecar.session;

import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.running.Quarantines;
import dev.flinksidecar.sidecar.rules.running.RuleFeedSource;
import dev.flinksidecar.sidecar.rules.running.RuleWatchdog;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What all sessions of a sidecar share (where rules come from, the rule executor, the limits) and
 * the set of live sessions, so that shutdown can drain them.
 *
 * <p>Threads: thread-safe. {@link #newSession()} runs on the event loop that accepted the
 * connection; {@link #drainAll()} on the shutdown thread.
 */
public final class Sessions {

    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    private static final long CAP_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final RuleFeedSource rules;
    private final Executor ruleExecutor;
    private final int maxFrameBytes;
    private final int maxPendingBatches;
    private final long maxPendingBytes;
    private final int maxSessions;
    private final Duration helloTimeout;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicLong refusedOverCap = new AtomicLong();
    private final AtomicLong lastCapLog = new AtomicLong(System.nanoTime());
    private final String sidecarVersion;
    private final SidecarMetrics metrics;
    private final AtomicLong ids = new AtomicLong();
    private final Set<SessionHandler> live = ConcurrentHashMap.newKeySet();
    private volatile Quarantines quarantines = new Quarantines();
    private volatile RuleWatchdog watchdog;

    /**
     * @param rules where each new session gets its rules: a fixed {@code RuleSet}, or the registry
     *     of deployed versions
     * @param ruleExecutor the pool that runs rule code (never an event loop)
     * @param maxFrameBytes the largest frame the sidecar accepts, announced in Welcome
     * @param maxPendingBatches batches per session received and not yet answered before the
     *     session's socket stops being read
     * @param sidecarVersion the software version announced in Welcome
     */
    public Sessions(
            RuleFeedSource rules,
            Executor ruleExecutor,
            int maxFrameBytes,
            int maxPendingBatches,
            String sidecarVersion) {
        this(
                rules,
                ruleExecutor,
                maxFrameBytes,
                maxPendingBatches,
                sidecarVersion,
                SidecarMetrics.disabled());
    }

    /**
     * As above, each session counting in {@code metrics}, without a bound on pending bytes or
     * sessions and without a Hello timeout.
     */
    public Sessions(
            RuleFeedSource rules,
            Executor ruleExecutor,
            int maxFrameBytes,
            int maxPendingBatches,
            String sidecarVersion,
            SidecarMetrics metrics) {
        this(
                rules,
                ruleExecutor,
                maxFrameBytes,
                maxPendingBatches,
                Long.MAX_VALUE,
                Integer.MAX_VALUE,
                Duration.ZERO,
                sidecarVersion,
                metrics);
    }

    /**
     * As above, with every bound.
     *
     * @param maxPendingBytes bytes of input per session received and not yet answered (the
     *     estimated heap of its decoded messages, {@code sidecar.session.max-pending-bytes}) before
     *     the session's socket stops being read
     * @param maxSessions sessions served at once; a connection beyond them is refused
     * @param helloTimeout how long a connection may stay without a Hello; zero: no limit
     */
    public Sessions(
            RuleFeedSource rules,
            Executor ruleExecutor,
            int maxFrameBytes,
            int maxPendingBatches,
            long maxPendingBytes,
            int maxSessions,
            Duration helloTimeout,
            String sidecarVersion,
            SidecarMetrics metrics) {
        this.metrics = metrics;
        this.rules = rules;
        this.ruleExecutor = ruleExecutor;
        this.maxFrameBytes = maxFrameBytes;
        this.maxPendingBatches = Math.max(1, maxPendingBatches);
        this.maxPendingBytes = Math.max(1, maxPendingBytes);
        this.maxSessions = maxSessions;
        this.helloTimeout = helloTimeout;
        this.sidecarVersion = sidecarVersion;
    }

    /**
     * Holds the sessions' rules to their time budgets with {@code watchdog} and shares {@code
     * quarantines} between them; call before the first session opens. Without it a rule is
     * quarantined only for throwing an {@link Error}, in the sessions' own table of quarantines.
     */
    public Sessions guardedBy(Quarantines quarantines, RuleWatchdog watchdog) {
        this.quarantines = quarantines;
        this.watchdog = watchdog;
        return this;
    }

    /** The handler of a new connection's session. */
    public SessionHandler newSession() {
        return new SessionHandler(
                this,
                "session-" + ids.incrementAndGet(),
                new SerialExecutor(ruleExecutor),
                metrics.session());
    }

    /**
     * Asks every live session to stop reading, answer the batches it has received, then close.
     *
     * @return completes when all of them have closed and closed their rule instances
     */
    public CompletableFuture<Void> drainAll() {
        return CompletableFuture.allOf(
                live.stream().map(SessionHandler::drain).toArray(CompletableFuture[]::new));
    }

    /** Sessions whose connection is open. */
    public int liveCount() {
        return live.size();
    }

    /**
     * Takes one of the {@code maxSessions} places for a new connection; false when all are taken.
     * Each place taken is given back by {@link #unregister}.
     */
    boolean register(SessionHandler session) {
        if (admitted.incrementAndGet() > maxSessions) {
            admitted.decrementAndGet();
            return false;
        }
        live.add(session);
        return true;
    }

    void unregister(SessionHandler session) {
        if (live.remove(session)) {
            admitted.decrementAndGet();
        }
    }

    /**
     * Logs a connection refused for the session cap: the first at once, then at most one line a
     * minute with the count, so a flood of connections does not flood the log.
     */
    void refusedOverCap(String reason) {
        long count = refusedOverCap.incrementAndGet();
        long now = System.nanoTime();
        long last = lastCapLog.get();
        if ((count == 1 || now - last >= CAP_LOG_INTERVAL_NANOS)
                && lastCapLog.compareAndSet(last, now)) {
            LOG.warn("refused a connection ({} so far): {}", count, reason);
        }
    }

    int maxSessions() {
        return maxSessions;
    }

    long maxPendingBytes() {
        return maxPendingBytes;
    }

    Duration helloTimeout() {
        return helloTimeout;
    }

    Quarantines quarantines() {
        return quarantines;
    }

    /** The watchdog that holds rules to their budgets, or null. */
    RuleWatchdog watchdog() {
        return watchdog;
    }

    RuleFeedSource rules() {
        return rules;
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    int maxPendingBatches() {
        return maxPendingBatches;
    }

    String sidecarVersion() {
        return sidecarVersion;
    }
}
