package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.sidecar.metrics.VersionMeters;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs event batches through one session's own, opened rule instances, per-event and windowed
 * side by side: the single engine behind both {@code serve} (one per socket session) and {@code
 * replay} (one per run).
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
 * <p>Versions change only between batches and right after checkpoint barriers ({@link
 * RuleFeed}), so every event of a batch meets exactly one version of each rule, and the {@code
 * rules} table of each answer names the versions that made its results. How a rule moves from
 * one version to the next: {@link EngineSlot}.
 *
 * <p>With keyed state ({@link #open(RuleFeed, String, boolean)}), the engine tracks which keys'
 * windows change, hands their state to the session at each barrier ({@link #snapshot}) and takes
 * restored state back ({@link #restore}); see {@link KeyedState}.
 *
 * <p>A rule that throws on an event gives a {@link DeadLetter} with the reason instead of its
 * results for that event (results it emitted before throwing are dropped); the engine goes on
 * with the next rule and event. The thread's context classloader is the calling rule's loader
 * during every call into rule code and is restored when {@link #process} returns.
 *
 * <p>Threads: not thread-safe. Every method is called by one thread at a time, never a Netty
 * event loop (in {@code serve}: the session's serial rule executor; in {@code replay}: the main
 * thread).
 */
public final class RuleEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);

    private final String sessionName;
    private final RuleFeed feed;
    private final Map<String, EngineSlot> slots = new TreeMap<>();
    private final Set<RuleVersion> held = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<RuleLoadException> refusals = new ArrayList<>();
    private final BatchAnswer answer;
    private final ContextSwitch context = new ContextSwitch();
    private final ChangedKeys changes;
    /** Null unless the session keeps keyed state. */
    private final KeyedState keyed;
    private EngineRule[] parts = new EngineRule[0];
    private List<RuleRef> table = List.of();
    /** The version of each entry of {@link #table}. */
    private RuleVersion[] tableVersions = new RuleVersion[0];
    /** The meters of the versions of {@link #table}, each once; empty when none records. */
    private VersionMeters[] metered = new VersionMeters[0];
    private boolean anyWindowed;
    private boolean dirty;
    /** The last watermark of the session; Long.MIN_VALUE before the first (and after a restore). */
    private long watermark = Long.MIN_VALUE;

    private RuleEngine(RuleFeed feed, String sessionName, boolean keyedState) {
        this.feed = feed;
        this.sessionName = sessionName;
        this.answer = new BatchAnswer(sessionName, 0);
        this.changes = keyedState ? ChangedKeys.tracked() : ChangedKeys.untracked();
        this.keyed = keyedState ? new KeyedState(changes) : null;
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
     * An engine that runs what {@code feed} says, starting with its first changes. Runs rule
     * code ({@code open}).
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
        engine.apply(feed.atBatch(), engine.refusals);
        return engine;
    }

    /** The rule versions of the last answer's rule table (older windowed versions still finishing included). */
    public List<RuleRef> rules() {
        return table;
    }

    /** The version each rule runs now, one per rule id, by id. */
    public List<RuleRef> activeRules() {
        List<RuleRef> active = new ArrayList<>();
        for (EngineSlot slot : slots.values()) {
            if (slot.version != null) {
                active.add(slot.version.ref());
            }
        }
        return active;
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
     * @return the answer: same sequence, the rule versions as its rule table, results, late
     *     events and dead letters
     * @throws IllegalArgumentException when the batch's columns do not add up (a broken client)
     */
    public ResultBatch process(EventBatch batch) {
        List<RuleChange> changes = feed.atBatch();
        if (!changes.isEmpty()) {
            apply(changes, null);
        } else if (dirty) {
            rebuild();
        }
        EventBatchView view = new EventBatchView(batch);
        BatchWatermarks watermarks = BatchWatermarks.of(batch, view.size());
        ResultBatch.Builder out = ResultBatch.newBuilder().setSequence(batch.getSequence()).addAllRules(table);
        context.begin();
        answer.start(out, table.size());
        long started = metered.length > 0 ? System.nanoTime() : 0;
        boolean watermarked = false;
        try {
            int size = view.size();
            for (int event = 0; event < size; event++) {
                watermarked |= applyWatermarks(watermarks, event);
                view.at(event);
                for (EngineRule part : parts) {
                    answer.at(part.index(), event, false);
                    int before = answer.resultCount();
                    try {
                        part.onEvent(view, answer, context);
                    } catch (Throwable e) {
                        Reasons.rethrowIfFatal(e);
                        answer.dropResultsFrom(before);
                        answer.deadLetter(Reasons.of(e));
                    }
                }
            }
            watermarked |= applyWatermarks(watermarks, size);
            countEvents(size);
        } finally {
            answer.finish();
            context.end();
        }
        if (metered.length > 0) {
            meter(System.nanoTime() - started);
        }
        if (watermarked) {
            reap();
        }
        if (dirty) {
            rebuild(); // lets go of the versions whose last windows just fired
        }
        return out.build();
    }

    /**
     * Switches to the versions that the feed activates right after the barrier of checkpoint
     * {@code checkpointId}. Runs rule code.
     *
     * @return the version each rule runs now, as {@link #activeRules()}
     */
    public List<RuleRef> barrier(long checkpointId) {
        List<RuleChange> changes = feed.atBarrier(checkpointId);
        if (!changes.isEmpty()) {
            apply(changes, null);
        }
        if (keyed != null) {
            feed.holding(checkpointId, keyed.finishing(slots.values()));
        }
        return activeRules();
    }

    /**
     * Keyed state: hands {@code sink} the state of every key whose windows changed since the
     * last snapshot (or since the engine opened or restored), empty for a key with no windows
     * left, and starts tracking afresh. Call it right after {@link #barrier}: the state is that
     * of right after the barrier, with the versions activated there, which is where a session
     * restored from this checkpoint starts. Runs rule code (the accumulator codecs).
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
            keyed.snapshot(slots.values(), context, sink);
        } finally {
            context.end();
        }
    }

    /**
     * Keyed state: puts the windows of restored keys back, with their timers, before the first
     * batch; the watermark stays at {@code Long.MIN_VALUE}. A key (or one rule's part of it)
     * that cannot be restored is left out and named in the answer; the others are restored. Runs
     * rule code (codecs, and {@code open} of older versions whose windows the state holds).
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
            failures = new KeyRestore(slots, this::newSlot, feed, version -> {
                if (!held.add(version)) {
                    version.release();
                }
            }, context, changes).restore(keys);
        } finally {
            context.end();
        }
        rebuild();
        return failures;
    }

    /** Tells the feed that checkpoint {@code checkpointId} completed. */
    public void completed(long checkpointId) {
        feed.completed(checkpointId);
    }

    /** Adds what the batch just answered gave to the meters of its versions: once per batch, never per event. */
    private void meter(long nanos) {
        for (int i = 0; i < tableVersions.length; i++) {
            tableVersions[i].meters().answered(answer.results(i), answer.deadLetters(i), answer.lateEvents(i));
        }
        for (VersionMeters meters : metered) {
            meters.batch(nanos);
        }
    }

    /** Open windows over this engine's windowed rules, older versions finishing theirs included. */
    public long openWindows() {
        long open = 0;
        for (EngineRule part : parts) {
            open += part.openWindows();
        }
        return open;
    }

    /** Keys with open windows, per windowed rule summed. */
    public long windowKeys() {
        long keys = 0;
        for (EngineRule part : parts) {
            keys += part.windowKeys();
        }
        return keys;
    }

    /** Applies the watermarks that hold after the first {@code events} events, to every windowed rule. */
    private boolean applyWatermarks(BatchWatermarks watermarks, int events) {
        boolean any = false;
        while (watermarks.dueAt(events)) {
            long watermark = watermarks.next();
            this.watermark = Math.max(this.watermark, watermark);
            if (!anyWindowed) {
                continue;
            }
            any = true;
            for (EngineRule part : parts) {
                if (part.windowed()) {
                    answer.at(part.index(), events, true);
                    part.onWatermark(watermark, answer, context);
                }
            }
        }
        return any;
    }

    private void countEvents(int size) {
        if (size > 0) {
            for (EngineSlot slot : slots.values()) {
                if (slot.version != null) {
                    slot.version.countEvents(size);
                }
            }
        }
    }

    /**
     * Makes the changes, each on its own: a version that fails to open leaves its rule as it was
     * (logged, or added to {@code failures} when given).
     */
    private void apply(List<RuleChange> changes, List<RuleLoadException> failures) {
        context.begin();
        try {
            for (RuleChange change : changes) {
                EngineSlot slot = slots.computeIfAbsent(change.id(), this::newSlot);
                RuleVersion next = change.version();
                if (next == null) {
                    slot.remove();
                    LOG.info("{}: rule {} removed", sessionName, change.id());
                } else if (next == slot.version) {
                    next.release(); // the feed acquired it again for us; one reference is enough
                } else {
                    switchTo(slot, next, failures);
                }
            }
        } finally {
            context.end();
        }
        rebuild();
    }

    private EngineSlot newSlot(String id) {
        return new EngineSlot(id, changes, () -> watermark);
    }

    private void switchTo(EngineSlot slot, RuleVersion next, List<RuleLoadException> failures) {
        RuleVersion previous = slot.version;
        try {
            slot.switchTo(next, context, sessionName);
            if (!held.add(next)) {
                next.release();
            }
            if (previous != null) {
                LOG.info("{}: rule {} now runs {} (was {})", sessionName, slot.id, next.version(), previous.version());
            }
        } catch (RuleLoadException e) {
            slot.failed(next);
            next.release();
            LOG.warn("{}: rule {} {}: {}", sessionName, next, previous == null ? "left out" : "stays at " + previous.version(),
                    e.getMessage());
            if (failures != null) {
                failures.add(e);
            }
        }
    }

    /** Closes older windowed versions that have nothing left to fire. */
    private void reap() {
        context.begin();
        try {
            for (EngineRule part : parts) {
                dirty |= part.reap();
            }
        } finally {
            context.end();
        }
    }

    /** Drops finished rules, rebuilds the rule table, releases the versions nothing runs any more. */
    private void rebuild() {
        dirty = false;
        slots.values().removeIf(EngineSlot::empty);
        List<EngineRule> all = new ArrayList<>();
        List<RuleRef> refs = new ArrayList<>();
        List<RuleVersion> versions = new ArrayList<>();
        Set<RuleVersion> inUse = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean windowed = false;
        for (EngineSlot slot : slots.values()) {
            for (EngineRule part : slot.parts) {
                if (part.finished()) {
                    continue;
                }
                part.index(refs, versions);
                part.versions(inUse);
                all.add(part);
                windowed |= part.windowed();
            }
            slot.parts.removeIf(EngineRule::finished);
        }
        parts = all.toArray(new EngineRule[0]);
        table = List.copyOf(refs);
        tableVersions = versions.toArray(new RuleVersion[0]);
        metered = versions.stream().map(RuleVersion::meters).filter(VersionMeters::enabled).distinct().toArray(VersionMeters[]::new);
        anyWindowed = windowed;
        for (RuleVersion version : new ArrayList<>(held)) {
            if (!inUse.contains(version)) {
                held.remove(version);
                version.release();
            }
        }
    }

    /** Closes every rule instance (failures are logged) and gives back every version. Runs rule code. */
    @Override
    public void close() {
        for (EngineRule part : parts) {
            part.close();
        }
        parts = new EngineRule[0];
        slots.clear();
        for (RuleVersion version : held) {
            version.release();
        }
        held.clear();
        feed.close();
    }
}
