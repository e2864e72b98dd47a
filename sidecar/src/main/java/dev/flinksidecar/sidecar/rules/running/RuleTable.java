package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.sidecar.metrics.VersionMeters;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule table of one {@link RuleEngine}: what it runs and in which order, and how that moves
 * from version to version. It holds a slot per rule id ({@link RuleSlot}), the running rules
 * ({@link RunningRule}) in the order of the answer's rule table, that table ({@link #refs()}: the
 * id and version of each entry), and one reference to every version something still runs (released
 * when nothing does). The engine applies its feed's changes here ({@link #apply}) and reads the
 * running rules and the refs once per batch; after a change, or once older windowed versions have
 * finished, the table is rebuilt.
 *
 * <p>Not thread-safe: the engine's thread only.
 */
final class RuleTable implements AutoCloseable {

    /** The engine's logger: version switches are logged as the engine's, as before this class. */
    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);

    private final String sessionName;
    private final ContextSwitch context;
    private final ChangedKeys changes;
    private final LongSupplier watermark;
    private final Map<String, RuleSlot> slots = new TreeMap<>();
    private final Set<RuleVersion> held = Collections.newSetFromMap(new IdentityHashMap<>());
    private RunningRule[] running = new RunningRule[0];
    private List<RuleRef> refs = List.of();

    /** The version of each entry of {@link #refs}. */
    private RuleVersion[] refVersions = new RuleVersion[0];

    /** The meters of the versions of {@link #refs}, each once; empty when none records. */
    private VersionMeters[] metered = new VersionMeters[0];

    private boolean anyWindowed;
    private boolean dirty;

    /**
     * @param context the context classloader switch of the engine's calls into rule code
     * @param changes where the windows of new slots report the keys they change
     * @param watermark the engine's current watermark, for new slots
     */
    RuleTable(
            String sessionName,
            ContextSwitch context,
            ChangedKeys changes,
            LongSupplier watermark) {
        this.sessionName = sessionName;
        this.context = context;
        this.changes = changes;
        this.watermark = watermark;
    }

    /** The running rules, in the order of {@link #refs()}. */
    RunningRule[] running() {
        return running;
    }

    /** The rule table of the next answer (older windowed versions still finishing included). */
    List<RuleRef> refs() {
        return refs;
    }

    /** Whether any instance is windowed (else watermarks reach no rule). */
    boolean anyWindowed() {
        return anyWindowed;
    }

    /** Whether any version of the table records metrics. */
    boolean metered() {
        return metered.length > 0;
    }

    /** The slots by rule id. */
    Map<String, RuleSlot> slots() {
        return slots;
    }

    /** The version each rule runs now, one per rule id, by id. */
    List<RuleRef> active() {
        List<RuleRef> active = new ArrayList<>();
        for (RuleSlot slot : slots.values()) {
            if (slot.version != null) {
                active.add(slot.version.ref());
            }
        }
        return active;
    }

    /**
     * Makes the changes, each on its own: a version that fails to open leaves its rule as it was
     * (logged, or added to {@code failures} when given). Runs rule code.
     */
    void apply(List<RuleChange> changes, List<RuleLoadException> failures) {
        context.begin();
        try {
            for (RuleChange change : changes) {
                RuleSlot slot = slots.computeIfAbsent(change.id(), this::newSlot);
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

    RuleSlot newSlot(String id) {
        return new RuleSlot(id, changes, watermark);
    }

    /**
     * Keeps one reference to {@code version} (releases the one given when it holds one already).
     */
    void hold(RuleVersion version) {
        if (!held.add(version)) {
            version.release();
        }
    }

    private void switchTo(RuleSlot slot, RuleVersion next, List<RuleLoadException> failures) {
        RuleVersion previous = slot.version;
        try {
            slot.switchTo(next, context, sessionName);
            hold(next);
            if (previous != null) {
                LOG.info(
                        "{}: rule {} now runs {} (was {})",
                        sessionName,
                        slot.id,
                        next.version(),
                        previous.version());
            }
        } catch (RuleLoadException e) {
            slot.failed(next);
            next.release();
            LOG.warn(
                    "{}: rule {} {}: {}",
                    sessionName,
                    next,
                    previous == null ? "left out" : "stays at " + previous.version(),
                    e.getMessage());
            if (failures != null) {
                failures.add(e);
            }
        }
    }

    /**
     * Puts a {@link QuarantinedRule} in the place of every running rule whose version {@code
     * quarantines} holds, and a fresh instance back in the place of a quarantined version that it
     * no longer holds (the quarantine was lifted). Runs rule code ({@code open}).
     */
    void quarantine(Quarantines quarantines) {
        for (RuleSlot slot : slots.values()) {
            for (int i = 0; i < slot.running.size(); i++) {
                RunningRule rule = slot.running.get(i);
                if (rule instanceof QuarantinedRule) {
                    continue;
                }
                Quarantines.Entry entry = quarantines.of(rule.blamed());
                if (entry != null) {
                    slot.running.set(
                            i, new QuarantinedRule(rule.blamed(), entry.deadLetterReason()));
                    dirty = true;
                    LOG.warn(
                            "{}: rule {} quarantined: {}",
                            sessionName,
                            rule.blamed(),
                            entry.reason());
                }
            }
            if (slot.version != null
                    && slot.running.stream().anyMatch(r -> r instanceof QuarantinedRule)
                    && quarantines.of(slot.version) == null) {
                List<RunningRule> before = slot.running;
                slot.running = new ArrayList<>();
                for (RunningRule rule : before) {
                    if (!(rule instanceof QuarantinedRule)) {
                        slot.running.add(rule);
                    }
                }
                context.begin();
                try {
                    slot.switchTo(slot.version, context, sessionName);
                    LOG.info(
                            "{}: rule {} runs again, its quarantine lifted",
                            sessionName,
                            slot.version);
                } catch (RuleLoadException e) {
                    slot.running = before;
                    LOG.warn(
                            "{}: rule {} stays quarantined: {}",
                            sessionName,
                            slot.version,
                            e.getMessage());
                } finally {
                    context.end();
                }
                dirty = true;
            }
        }
    }

    /**
     * Puts a {@link QuarantinedRule} in the place of {@code rule}, without closing it (a thread may
     * be stuck in it), for the batch running now and the next ones.
     *
     * @return the stand-in, at the table index of {@code rule} until the table is rebuilt
     */
    QuarantinedRule quarantine(RunningRule rule, Quarantines.Entry entry) {
        QuarantinedRule standIn = new QuarantinedRule(rule.blamed(), entry.deadLetterReason());
        standIn.placeAt(rule.index());
        for (RuleSlot slot : slots.values()) {
            int at = slot.running.indexOf(rule);
            if (at >= 0) {
                slot.running.set(at, standIn);
            }
        }
        dirty = true;
        LOG.warn("{}: rule {} quarantined: {}", sessionName, rule.blamed(), entry.reason());
        return standIn;
    }

    /** Counts {@code size} events for the version each rule runs now. */
    void countEvents(int size) {
        if (size > 0) {
            for (RuleSlot slot : slots.values()) {
                if (slot.version != null) {
                    slot.version.countEvents(size);
                }
            }
        }
    }

    /**
     * Adds what the batch just answered gave to the meters of its versions: once per batch, never
     * per event.
     */
    void meter(BatchAnswer answer, long nanos) {
        for (int i = 0; i < refVersions.length; i++) {
            refVersions[i]
                    .meters()
                    .answered(answer.results(i), answer.deadLetters(i), answer.lateEvents(i));
        }
        for (VersionMeters meters : metered) {
            meters.batch(nanos);
        }
    }

    /** Open windows over the windowed rules, older versions finishing theirs included. */
    long openWindows() {
        long open = 0;
        for (RunningRule rule : running) {
            open += rule.openWindows();
        }
        return open;
    }

    /** Keys with open windows, per windowed rule summed. */
    long windowKeys() {
        long keys = 0;
        for (RunningRule rule : running) {
            keys += rule.windowKeys();
        }
        return keys;
    }

    /** Closes older windowed versions that have nothing left to fire. Runs rule code. */
    void reap() {
        context.begin();
        try {
            for (RunningRule rule : running) {
                dirty |= rule.reap();
            }
        } finally {
            context.end();
        }
    }

    /** {@link #rebuild()} when older windowed versions finished since the last. */
    void rebuildIfDirty() {
        if (dirty) {
            rebuild();
        }
    }

    /**
     * Drops finished rules, rebuilds the rule table, releases the versions nothing runs any more.
     */
    void rebuild() {
        dirty = false;
        slots.values().removeIf(RuleSlot::empty);
        List<RunningRule> all = new ArrayList<>();
        List<RuleRef> newRefs = new ArrayList<>();
        List<RuleVersion> versions = new ArrayList<>();
        Set<RuleVersion> inUse = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean windowed = false;
        for (RuleSlot slot : slots.values()) {
            for (RunningRule rule : slot.running) {
                if (rule.finished()) {
                    continue;
                }
                rule.index(newRefs, versions);
                rule.versions(inUse);
                all.add(rule);
                windowed |= rule.windowed();
            }
            slot.running.removeIf(RunningRule::finished);
        }
        running = all.toArray(new RunningRule[0]);
        refs = List.copyOf(newRefs);
        refVersions = versions.toArray(new RuleVersion[0]);
        metered =
                versions.stream()
                        .map(RuleVersion::meters)
                        .filter(VersionMeters::enabled)
                        .distinct()
                        .toArray(VersionMeters[]::new);
        anyWindowed = windowed;
        for (RuleVersion version : new ArrayList<>(held)) {
            if (!inUse.contains(version)) {
                held.remove(version);
                version.release();
            }
        }
    }

    /**
     * Closes every rule instance (failures are logged) and gives back every version. Runs rule
     * code.
     */
    @Override
    public void close() {
        for (RunningRule rule : running) {
            rule.close();
        }
        running = new RunningRule[0];
        slots.clear();
        for (RuleVersion version : held) {
            version.release();
        }
        held.clear();
    }
}
