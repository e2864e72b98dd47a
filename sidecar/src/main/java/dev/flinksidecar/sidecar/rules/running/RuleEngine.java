package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.sidecar.rules.loading.Reasons;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Runs event batches through one session's own, opened rule instances, per-event and windowed side
 * by side: the single engine behind both {@code serve} (one per socket session) and {@code replay}
 * (one per run).
 *
 * <pre>
 *   EventBatch --(feed: version changes at this batch boundary)--> switch versions
 *              --EventBatchView (decoded once, one flyweight)--> for each event, in order:
 *                                                                   watermarks due before it
 *                                                                   for each rule, by id:
 *                                                                     per-event: rule.onEvent
 *                                                                     windowed:  add to windows,
 *                                                                       late firing or late event
 *                                                                 watermarks after the last event
 *   watermark w (interim, or the batch's own) --> for each windowed rule, by id: fire due windows
 *   ResultBatch <-- results in event order (a watermark's firings right after the events before
 *                   it), then rule order, then emit/timer order; late events; dead letters
 *   barrier N  --(feed: windowed versions staged for checkpoint N)--> switch versions
 *              --(keyed state)--> snapshot: the state of each key whose windows changed
 *   StateRestore (keyed state, before the first batch) --> restore: windows back, by key
 * </pre>
 *
 * <p>Versions change only between batches and right after checkpoint barriers ({@link RuleFeed}),
 * so every event of a batch meets exactly one version of each rule, and the {@code rules} table of
 * each answer names the versions that made its results. What runs, in which order: {@link
 * RuleTable}; how one rule id moves from one version to the next: {@link RuleSlot}; one rule class
 * as the engine calls it: {@link RunningRule}.
 *
 * <p>With keyed state ({@link #open(RuleFeed, String, boolean)}), the engine tracks which keys'
 * windows change, hands their state to the session at each barrier ({@link #snapshot}) and takes
 * restored state back ({@link #restore}); see {@link KeyedState}.
 *
 * <p>A rule that throws an exception on an event gives a {@link DeadLetter} with the reason instead
 * of its results for that event (results it emitted before throwing are dropped); the engine goes
 * on with the next rule and event. A rule version that throws an {@link Error}, or that the {@link
 * RuleWatchdog} finds past its time budget on one batch, is quarantined ({@link Quarantines}): its
 * results of the batch are dropped, every event it was given in the batch becomes a dead letter
 * naming the quarantine, and from then on a {@link QuarantinedRule} stands in its place. When the
 * watchdog finds the engine's thread stuck in such a rule, it abandons that thread ({@link
 * RuleCalls}) and another thread finishes the batch from where it stood ({@link #resume()}): the
 * other rules' results are those of an undisturbed run. The thread's context classloader is the
 * calling rule's loader during every call into rule code and is restored when {@link #process}
 * returns.
 *
 * <p>Threads: not thread-safe. Every method is called by one thread at a time, never a Netty event
 * loop (in {@code serve}: the session's serial rule executor; in {@code replay}: the main thread).
 */
public final class RuleEngine implements AutoCloseable {

    private final RuleFeed feed;
    private final List<RuleLoadException> refusals = new ArrayList<>();
    private final BatchAnswer answer;
    private final ContextSwitch context = new ContextSwitch();
    private final ChangedKeys changes;

    /** Null unless the session keeps keyed state. */
    private final KeyedState keyed;

    private final RuleTable table;

    /** Where the engine's thread is, for the watchdog: engine code or which rule. */
    final RuleCalls calls = new RuleCalls();

    private final Quarantines quarantines;
    private long quarantineEpoch;

    /** The last watermark of the session; Long.MIN_VALUE before the first (and after a restore). */
    private long watermark = Long.MIN_VALUE;

    // The batch in progress and where the engine is in it: the engine thread's, handed over to the
    // thread that finishes the batch when the watchdog abandons a stuck one.
    private EventBatchView view;
    private BatchWatermarks watermarks;
    private RunningRule[] running;
    private ResultBatch.Builder out;
    private int size;

    /** The event the engine is at: being given to the rules, or the watermark before it firing. */
    private int event;

    /** The index into {@link #running} of the next rule to call at {@link #event}. */
    private int next;

    /** True while {@link #firingWatermark} goes to the windowed rules from {@link #next} on. */
    private boolean firing;

    private long firingWatermark;
    private boolean watermarked;
    private long started;
    private final List<Quarantined> quarantinedInBatch = new ArrayList<>();

    // What the watchdog reads and asks for.
    /** The thread running the batch now. */
    volatile Thread runner;

    /** Counts batches begun; odd while one runs. */
    volatile long batches;

    /** The sequence number of the batch running, for the watchdog's record. */
    volatile long sequence;

    private final String sessionName;

    /**
     * The rule ids whose version the last {@link #barrier} call switched (until the next batch).
     */
    private final Set<String> switchedAtBarrier = new HashSet<>();

    /** Quarantines the watchdog asks the engine's thread to make at its next event. */
    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();

    private volatile boolean requested;

    /**
     * What the watchdog calls, with the abandoned thread, to get another thread to {@link
     * #resume()}; null: never abandon.
     */
    private volatile Consumer<Thread> takeOver;

    /** Why the watchdog abandoned the batch's thread, for the quarantine it leaves. */
    private String abandonReason;

    /** A quarantine made during the batch, settled in the answer when the batch ends. */
    private record Quarantined(BitSet indexes, int index, int given, String reason) {}

    /** The watchdog's request to quarantine {@code running[rule]} of batch {@code batch}. */
    private record Request(long batch, int rule, String reason) {}

    private RuleEngine(
            RuleFeed feed, String sessionName, boolean keyedState, Quarantines quarantines) {
        this.feed = feed;
        this.sessionName = sessionName;
        this.quarantines = quarantines;
        this.quarantineEpoch = quarantines.epoch();
        this.answer = new BatchAnswer(sessionName, 0, calls);
        this.changes = keyedState ? ChangedKeys.tracked(calls) : ChangedKeys.untracked();
        this.keyed = keyedState ? new KeyedState(changes) : null;
        this.table = new RuleTable(sessionName, context, changes, () -> watermark);
    }

    /**
     * Opens a fresh instance of every rule of {@code ruleSet}. A rule that fails to open is left
     * out of this engine (logged, and listed in {@link #refusals()}); the others run.
     *
     * @param sessionName names the session in log messages
     */
    public static RuleEngine open(RuleSet ruleSet, String sessionName) {
        return open(ruleSet.open(sessionName, false, 0), sessionName);
    }

    /**
     * An engine that runs what {@code feed} says, starting with its first changes. Runs rule code
     * ({@code open}).
     */
    public static RuleEngine open(RuleFeed feed, String sessionName) {
        return open(feed, sessionName, false);
    }

    /**
     * As {@link #open(RuleFeed, String)}; with {@code keyedState}, the engine also tracks which
     * keys' windows change, for {@link #snapshot}, and accepts {@link #restore}.
     */
    public static RuleEngine open(RuleFeed feed, String sessionName, boolean keyedState) {
        return open(feed, sessionName, keyedState, new Quarantines());
    }

    /**
     * As {@link #open(RuleFeed, String, boolean)}, with the versions quarantined in {@code
     * quarantines} (the sidecar's, shared by its sessions) left out and its quarantines added
     * there.
     */
    public static RuleEngine open(
            RuleFeed feed, String sessionName, boolean keyedState, Quarantines quarantines) {
        RuleEngine engine = new RuleEngine(feed, sessionName, keyedState, quarantines);
        engine.calls.own();
        engine.table.apply(feed.atBatch(), engine.refusals);
        engine.table.quarantine(quarantines);
        engine.table.rebuildIfDirty();
        return engine;
    }

    /**
     * Lets the {@link RuleWatchdog} abandon this engine's thread when it is stuck in a rule: {@code
     * takeOver} then runs on the watchdog's thread, given the abandoned thread, and must get
     * another thread to call {@link #resume()} (whose answer is the batch's).
     */
    public void abandonable(Consumer<Thread> takeOver) {
        this.takeOver = takeOver;
    }

    /**
     * The rule versions of the last answer's rule table (older windowed versions still finishing
     * included).
     */
    public List<RuleRef> rules() {
        return table.refs();
    }

    /** The version each rule runs now, one per rule id, by id. */
    public List<RuleRef> activeRules() {
        return table.active();
    }

    /** The rules that failed to open when this engine was opened. */
    public List<RuleLoadException> refusals() {
        return refusals;
    }

    /**
     * Switches to the versions the feed has for this batch boundary, then runs every event of
     * {@code batch} through every rule, and its watermarks through every windowed rule, each
     * watermark after the events that precede it.
     *
     * @return the answer: same sequence, the rule versions as its rule table, results, late events
     *     and dead letters
     * @throws IllegalArgumentException when the batch's columns do not add up (a broken client)
     * @throws AbandonedCall on a thread the watchdog abandoned: another thread finishes the batch
     *     ({@link #resume()})
     */
    public ResultBatch process(EventBatch batch) {
        return process(new EventBatchView(batch));
    }

    /**
     * As {@link #process(EventBatch)}, for a batch read straight from its bytes (a session's).
     *
     * @throws IllegalArgumentException when the batch's columns do not add up (a broken client)
     * @throws AbandonedCall on a thread the watchdog abandoned: another thread finishes the batch
     *     ({@link #resume()})
     */
    public ResultBatch process(EventBatchColumns batch) {
        return process(new EventBatchView(batch));
    }

    private ResultBatch process(EventBatchView batch) {
        calls.own();
        switchedAtBarrier.clear();
        List<RuleChange> changes = feed.atBatch();
        if (!changes.isEmpty()) {
            table.apply(changes, null);
        }
        if (quarantines.epoch() != quarantineEpoch) {
            quarantineEpoch = quarantines.epoch();
            table.quarantine(quarantines);
        }
        table.rebuildIfDirty();
        this.view = batch;
        this.size = view.size();
        this.watermarks = BatchWatermarks.of(batch, size);
        this.running = table.running().clone();
        this.out = ResultBatch.newBuilder().setSequence(batch.sequence()).addAllRules(table.refs());
        event = 0;
        next = 0;
        firing = false;
        watermarked = false;
        quarantinedInBatch.clear();
        runner = Thread.currentThread();
        sequence = batch.sequence();
        batches++;
        context.begin();
        answer.start(out, table.refs().size());
        started = table.metered() ? System.nanoTime() : 0;
        return finish();
    }

    /**
     * Finishes the batch whose thread the watchdog abandoned while it was stuck in a rule, on the
     * calling thread: that rule is quarantined, and the others go on from where the engine stood.
     */
    public ResultBatch resume() {
        calls.takeOver();
        runner = Thread.currentThread();
        context.begin();
        view = view.copy(); // the stuck thread may still read the old one
        quarantine(next, firing ? event : event + 1, abandonReason);
        next++;
        if (!firing && event < size) {
            view.at(event);
        }
        return finish();
    }

    private ResultBatch finish() {
        boolean abandoned = false;
        try {
            run();
            settleQuarantines();
            table.countEvents(size);
        } catch (AbandonedCall e) {
            abandoned = true;
            throw e;
        } finally {
            if (!abandoned) {
                answer.finish();
                context.end();
                batches++;
            }
        }
        if (started != 0) {
            table.meter(answer, System.nanoTime() - started);
        }
        if (watermarked) {
            table.reap();
        }
        table.rebuildIfDirty(); // lets go of the versions whose last windows just fired
        ResultBatch result = out.build();
        view = null;
        out = null;
        return result;
    }

    /** Gives the batch's events and watermarks to the rules, from where the engine stands. */
    private void run() {
        while (true) {
            if (firing) {
                fire();
                firing = false;
                next = 0;
            }
            if (watermarks.dueAt(event)) {
                long due = watermarks.next();
                watermark = Math.max(watermark, due);
                if (table.anyWindowed()) {
                    watermarked = true;
                    firing = true;
                    firingWatermark = due;
                    next = 0;
                }
                continue;
            }
            if (event == size) {
                return;
            }
            if (next == 0) {
                if (requested) {
                    takeRequests();
                }
                view.at(event);
            }
            for (; next < running.length; next++) {
                RunningRule rule = running[next];
                answer.at(rule.index(), event, false);
                int before = answer.resultCount();
                Throwable failure = null;
                calls.enter(next);
                try {
                    rule.onEvent(view, answer, context);
                } catch (Throwable e) {
                    failure = e;
                }
                calls.exit();
                if (failure instanceof Error) {
                    quarantine(next, event + 1, "threw " + Reasons.of(failure));
                } else if (failure != null) {
                    answer.dropResultsFrom(before);
                    answer.deadLetter(Reasons.of(failure));
                }
            }
            next = 0;
            event++;
        }
    }

    /** Gives {@link #firingWatermark} to the windowed rules from {@link #next} on. */
    private void fire() {
        for (; next < running.length; next++) {
            RunningRule rule = running[next];
            if (!rule.windowed()) {
                continue;
            }
            answer.at(rule.index(), event, true);
            Throwable failure = null;
            calls.enter(next);
            try {
                rule.onWatermark(firingWatermark, answer, context);
            } catch (Throwable e) {
                failure = e;
            }
            calls.exit();
            if (failure instanceof Error) {
                quarantine(next, event, "threw " + Reasons.of(failure));
            } else if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
        }
    }

    /**
     * Quarantines the version of {@code running[rule]}, which was given the first {@code given}
     * events of the batch: a {@link QuarantinedRule} takes its place for the rest of the batch, and
     * its part of the answer is settled when the batch ends.
     */
    private void quarantine(int rule, int given, String reason) {
        RunningRule quarantined = running[rule];
        if (quarantined instanceof QuarantinedRule) {
            return;
        }
        Quarantines.Entry entry = quarantines.add(quarantined.blamed(), reason);
        QuarantinedRule standIn = table.quarantine(quarantined, entry);
        running[rule] = standIn;
        BitSet indexes = new BitSet();
        quarantined.indexes(indexes);
        quarantinedInBatch.add(
                new Quarantined(indexes, standIn.index(), given, entry.deadLetterReason()));
        quarantineEpoch = quarantines.epoch();
    }

    /**
     * Drops what each rule quarantined during the batch gave, and makes every event it was given a
     * dead letter.
     */
    private void settleQuarantines() {
        for (Quarantined q : quarantinedInBatch) {
            answer.quarantined(q.indexes(), q.index(), q.given(), q.reason());
        }
        if (!quarantinedInBatch.isEmpty()) {
            answer.sortDeadLetters();
        }
    }

    /** Engine thread: makes the quarantines the watchdog asked for in this batch. */
    private void takeRequests() {
        requested = false;
        long batch = batches;
        for (Request request; (request = requests.poll()) != null; ) {
            if (request.batch() == batch && request.rule() < running.length) {
                quarantine(request.rule(), event, request.reason());
            }
        }
    }

    /**
     * Watchdog: asks the engine's thread to quarantine {@code running[rule]} at its next event of
     * batch {@code batch} (a rule past its budget that is not stuck in one call).
     */
    void request(long batch, int rule, String reason) {
        requests.add(new Request(batch, rule, reason));
        requested = true;
    }

    /**
     * Watchdog: the rule of call {@code word} is past its budget and stuck in that call. Takes the
     * batch away from the engine's thread, when it is still in that call, and has another thread
     * finish it.
     *
     * @return the abandoned thread, or null when it left the call meanwhile or cannot be abandoned
     */
    Thread abandon(long word, String reason) {
        Consumer<Thread> hand = takeOver;
        if (hand == null) {
            return null;
        }
        Thread stuck = runner;
        if (!calls.abandon(word)) {
            return null;
        }
        abandonReason = reason; // published to the next thread by the take-over's hand-off
        hand.accept(stuck);
        return stuck;
    }

    /** The session it runs for, in log messages. */
    String sessionName() {
        return sessionName;
    }

    /** Watchdog: the rule at {@code rule} of the running batch, or null. */
    RunningRule runningAt(int rule) {
        RunningRule[] now = running;
        return now != null && rule >= 0 && rule < now.length ? now[rule] : null;
    }

    /**
     * Switches to the versions that the feed activates right after the barrier of checkpoint {@code
     * checkpointId}. Runs rule code.
     *
     * @return the version each rule runs now, as {@link #activeRules()}
     */
    public List<RuleRef> barrier(long checkpointId) {
        calls.own();
        List<RuleChange> changes = feed.atBarrier(checkpointId);
        switchedAtBarrier.clear();
        if (!changes.isEmpty()) {
            table.apply(changes, null);
            for (RuleChange change : changes) {
                switchedAtBarrier.add(change.id());
            }
        }
        if (keyed != null) {
            feed.holding(checkpointId, keyed.finishing(table.slots().values()));
        }
        return activeRules();
    }

    /**
     * Right after {@link #barrier}, when that barrier switched rule {@code ruleId} to version
     * {@code version}: the windows of that version become copies of those {@code candidate} holds,
     * an engine that ran the same version in shadow on this session's events and watermarks since
     * before the windows open now began; the windows older versions were finishing are dropped.
     * Every key of the windows replaced or dropped is marked changed, so the next {@link #snapshot}
     * writes the candidate's windows (see {@link WindowHandOver}). All or nothing. Runs rule code
     * (codecs, {@code close}). {@code candidate} must run nothing meanwhile; it is not changed.
     *
     * @return null when the windows were handed over; else why not, and nothing changed
     */
    public String takeWindowsOf(String ruleId, String version, RuleEngine candidate) {
        calls.own();
        RuleSlot slot = table.slots().get(ruleId);
        if (!switchedAtBarrier.contains(ruleId)
                || slot == null
                || slot.version == null
                || !slot.version.version().equals(version)) {
            return "the session did not switch to " + ruleId + " " + version + " at this barrier";
        }
        RuleSlot theirs = candidate.table.slots().get(ruleId);
        if (theirs == null) {
            return "the candidate runs nothing here";
        }
        if (candidate.watermark != watermark) {
            return "the candidate is at watermark "
                    + candidate.watermark
                    + ", the session at "
                    + watermark;
        }
        String refused;
        context.begin();
        try {
            refused = WindowHandOver.handOver(slot, theirs, changes, watermark, context);
        } finally {
            context.end();
        }
        table.rebuild();
        return refused;
    }

    /**
     * Keyed state: hands {@code sink} the state of every key whose windows changed since the last
     * snapshot (or since the engine opened or restored), empty for a key with no windows left, and
     * starts tracking afresh. Call it right after {@link #barrier}: the state is that of right
     * after the barrier, with the versions activated there, which is where a session restored from
     * this checkpoint starts. Runs rule code (the accumulator codecs).
     *
     * @throws IOException naming the rule and the key when a rule's codec fails to write
     * @throws IllegalStateException when the engine does not keep keyed state
     */
    public void snapshot(Consumer<KeyState> sink) throws IOException {
        if (keyed == null) {
            throw new IllegalStateException("this engine keeps no keyed state");
        }
        calls.own();
        context.begin();
        try {
            keyed.snapshot(table.slots().values(), context, sink);
        } finally {
            context.end();
        }
    }

    /**
     * Keyed state: puts the windows of restored keys back, with their timers, before the first
     * batch; the watermark stays at {@code Long.MIN_VALUE}. A key (or one rule's part of it) that
     * cannot be restored is left out and named in the answer; the others are restored. Runs rule
     * code (codecs, and {@code open} of older versions whose windows the state holds).
     *
     * @return one message per key, or part of a key, that was dropped, saying why
     * @throws IllegalStateException when the engine does not keep keyed state
     */
    public List<String> restore(List<KeyState> keys) {
        if (keyed == null) {
            throw new IllegalStateException("this engine keeps no keyed state");
        }
        List<String> failures;
        calls.own();
        context.begin();
        try {
            failures =
                    new KeyRestore(
                                    table.slots(),
                                    table::newSlot,
                                    feed,
                                    table::hold,
                                    context,
                                    changes)
                            .restore(keys);
        } finally {
            context.end();
        }
        table.rebuild();
        return failures;
    }

    /** Tells the feed that checkpoint {@code checkpointId} completed. */
    public void completed(long checkpointId) {
        feed.completed(checkpointId);
    }

    /** Open windows over this engine's windowed rules, older versions finishing theirs included. */
    public long openWindows() {
        return table.openWindows();
    }

    /** Keys with open windows, per windowed rule summed. */
    public long windowKeys() {
        return table.windowKeys();
    }

    /**
     * Closes every rule instance (failures are logged) and gives back every version. Runs rule
     * code.
     */
    @Override
    public void close() {
        calls.own();
        table.close();
        feed.close();
    }
}
