package dev.flinksidecar.sidecar.rules.running;

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
import java.util.List;
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
 * <p>A rule that throws on an event gives a {@link DeadLetter} with the reason instead of its
 * results for that event (results it emitted before throwing are dropped); the engine goes on with
 * the next rule and event. The thread's context classloader is the calling rule's loader during
 * every call into rule code and is restored when {@link #process} returns.
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

    /** The last watermark of the session; Long.MIN_VALUE before the first (and after a restore). */
    private long watermark = Long.MIN_VALUE;

    private RuleEngine(RuleFeed feed, String sessionName, boolean keyedState) {
        this.feed = feed;
        this.answer = new BatchAnswer(sessionName, 0);
        this.changes = keyedState ? ChangedKeys.tracked() : ChangedKeys.untracked();
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
        RuleEngine engine = new RuleEngine(feed, sessionName, keyedState);
        engine.table.apply(feed.atBatch(), engine.refusals);
        return engine;
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
     */
    public ResultBatch process(EventBatch batch) {
        List<RuleChange> changes = feed.atBatch();
        if (!changes.isEmpty()) {
            table.apply(changes, null);
        } else {
            table.rebuildIfDirty();
        }
        RunningRule[] running = table.running();
        List<RuleRef> refs = table.refs();
        EventBatchView view = new EventBatchView(batch);
        BatchWatermarks watermarks = BatchWatermarks.of(batch, view.size());
        ResultBatch.Builder out =
                ResultBatch.newBuilder().setSequence(batch.getSequence()).addAllRules(refs);
        context.begin();
        answer.start(out, refs.size());
        boolean metered = table.metered();
        long started = metered ? System.nanoTime() : 0;
        boolean watermarked = false;
        try {
            int size = view.size();
            for (int event = 0; event < size; event++) {
                watermarked |= applyWatermarks(watermarks, event, running);
                view.at(event);
                for (RunningRule rule : running) {
                    answer.at(rule.index(), event, false);
                    int before = answer.resultCount();
                    try {
                        rule.onEvent(view, answer, context);
                    } catch (Throwable e) {
                        Reasons.rethrowIfFatal(e);
                        answer.dropResultsFrom(before);
                        answer.deadLetter(Reasons.of(e));
                    }
                }
            }
            watermarked |= applyWatermarks(watermarks, size, running);
            table.countEvents(size);
        } finally {
            answer.finish();
            context.end();
        }
        if (metered) {
            table.meter(answer, System.nanoTime() - started);
        }
        if (watermarked) {
            table.reap();
        }
        table.rebuildIfDirty(); // lets go of the versions whose last windows just fired
        return out.build();
    }

    /**
     * Switches to the versions that the feed activates right after the barrier of checkpoint {@code
     * checkpointId}. Runs rule code.
     *
     * @return the version each rule runs now, as {@link #activeRules()}
     */
    public List<RuleRef> barrier(long checkpointId) {
        List<RuleChange> changes = feed.atBarrier(checkpointId);
        if (!changes.isEmpty()) {
            table.apply(changes, null);
        }
        if (keyed != null) {
            feed.holding(checkpointId, keyed.finishing(table.slots().values()));
        }
        return activeRules();
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
     * Applies the watermarks that hold after the first {@code events} events, to every windowed
     * rule.
     */
    private boolean applyWatermarks(BatchWatermarks watermarks, int events, RunningRule[] running) {
        boolean any = false;
        while (watermarks.dueAt(events)) {
            long watermark = watermarks.next();
            this.watermark = Math.max(this.watermark, watermark);
            if (!table.anyWindowed()) {
                continue;
            }
            any = true;
            for (RunningRule rule : running) {
                if (rule.windowed()) {
                    answer.at(rule.index(), events, true);
                    rule.onWatermark(watermark, answer, context);
                }
            }
        }
        return any;
    }

    /**
     * Closes every rule instance (failures are logged) and gives back every version. Runs rule
     * code.
     */
    @Override
    public void close() {
        table.close();
        feed.close();
    }
}
