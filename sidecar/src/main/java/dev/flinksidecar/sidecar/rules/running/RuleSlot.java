package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.Reasons;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot of one rule id in one session's {@link RuleTable}: the version it runs, its running
 * rules ({@link RunningRule}: one per rule class of that version, windowed ones with the older
 * versions still finishing their windows), and how it moves to another version.
 *
 * <pre>
 *   switch to version N (from O):
 *     open N's instances (if one fails: keep O, log, never try N again here)
 *     per-event rules of O          closed: the next event goes to N (a batch boundary)
 *     windowed rule of O, same class in N:
 *        same windows and the same non-null stateLayout  ->  N adopts O's open windows, O closed
 *        otherwise                                       ->  O finishes its windows beside N
 *     windowed rule of O, no such class in N            ->  O finishes its windows alone
 *   remove:  per-event rules closed; windowed ones finish their windows
 * </pre>
 *
 * <p>New windows start at the session's watermark: a version activated mid-stream tells late events
 * by the same watermark as the version before it.
 *
 * <p>One thread: the engine's.
 */
final class RuleSlot {

    private static final Logger LOG = LoggerFactory.getLogger(RuleSlot.class);

    final String id;

    /** The version new events go to; null once the rule was removed (only older windows finish). */
    RuleVersion version;

    List<RunningRule> running = new ArrayList<>();

    /** A version that failed to open in this session; it is not tried again. */
    private RuleVersion failed;

    /** Where the windows of this rule mark the keys they change (the session's). */
    private final ChangedKeys changes;

    /** The session's watermark, where the windows of a version opened later start. */
    private final LongSupplier watermark;

    RuleSlot(String id, ChangedKeys changes, LongSupplier watermark) {
        this.id = id;
        this.changes = changes;
        this.watermark = watermark;
    }

    /**
     * Runs {@code next} from now on (see the class comment). Runs rule code.
     *
     * @throws RuleLoadException when an instance of {@code next} fails to open; nothing changed
     *     then
     */
    void switchTo(RuleVersion next, ContextSwitch context, String sessionName)
            throws RuleLoadException {
        if (next == failed) {
            throw new RuleLoadException("rule " + next + " failed to open in this session before");
        }
        List<Object> opened = openAll(next);
        Map<String, WindowedChain> chains = new LinkedHashMap<>();
        for (RunningRule rule : running) {
            if (rule instanceof WindowedChain) {
                WindowedChain chain = (WindowedChain) rule;
                chains.put(
                        chain.current() != null
                                ? chain.current().loaded.className()
                                : "\0removed" + chains.size(),
                        chain);
            } else {
                rule.close();
            }
        }
        List<RunningRule> successors = new ArrayList<>();
        for (Object instance : opened) {
            if (instance instanceof PerEventRule) {
                successors.add((PerEventRule) instance);
                continue;
            }
            WindowedInstance fresh = (WindowedInstance) instance;
            WindowedChain old = chains.remove(fresh.loaded.className());
            successors.add(
                    old == null
                            ? new WindowedChain(fresh, List.of())
                            : succeed(old, fresh, context, sessionName));
        }
        for (WindowedChain leftover : chains.values()) {
            successors.add(finishing(leftover));
        }
        running = successors;
        version = next;
    }

    /**
     * Stops running the rule: per-event instances close, windowed ones finish their windows. Runs
     * rule code.
     */
    void remove() {
        List<RunningRule> left = new ArrayList<>();
        for (RunningRule rule : running) {
            if (rule instanceof WindowedChain) {
                left.add(finishing((WindowedChain) rule));
            } else {
                rule.close();
            }
        }
        running = left;
        version = null;
    }

    /**
     * {@code chain} without a current version: its versions finish their open windows; those with
     * none close now.
     */
    private static WindowedChain finishing(WindowedChain chain) {
        List<WindowedInstance> older = new ArrayList<>();
        for (WindowedInstance instance : chain.all()) {
            if (instance.windows.openWindows() > 0) {
                older.add(instance);
            } else {
                instance.close();
            }
        }
        return new WindowedChain(null, older);
    }

    /** Remembers that {@code next} failed to open here. */
    void failed(RuleVersion next) {
        failed = next;
    }

    boolean empty() {
        return version == null && running.stream().allMatch(RunningRule::finished);
    }

    private WindowedChain succeed(
            WindowedChain old, WindowedInstance fresh, ContextSwitch context, String sessionName) {
        WindowedInstance previous = old.current();
        if (previous != null && fresh.canAdopt(previous)) {
            try {
                fresh.adopt(previous, context);
                previous.close();
                return new WindowedChain(fresh, old.older());
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "{}: rule {} could not take over the open windows of {} (its windows finish under it): {}",
                        sessionName,
                        fresh,
                        previous,
                        Reasons.of(e));
            }
        }
        List<WindowedInstance> older = new ArrayList<>(old.older());
        if (previous != null && previous.windows.openWindows() > 0) {
            older.add(previous);
        } else if (previous != null) {
            previous.close(); // nothing to finish
        }
        return new WindowedChain(fresh, older);
    }

    /**
     * Opens an instance of {@code loaded}, a windowed rule of {@code older}, an older version of
     * this rule, to finish windows that restored state holds: it joins the older versions of the
     * chain of its class (after those there), or a chain of its own without a current version. Runs
     * rule code.
     */
    WindowedInstance finishRestored(RuleVersion older, LoadedRule loaded) throws RuleLoadException {
        WindowedInstance instance =
                WindowedInstance.open(older, loaded, changes, watermark.getAsLong());
        for (RunningRule rule : running) {
            if (rule instanceof WindowedChain && ((WindowedChain) rule).runs(loaded.className())) {
                ((WindowedChain) rule).older().add(instance);
                return instance;
            }
        }
        running.add(new WindowedChain(null, List.of(instance)));
        return instance;
    }

    private List<Object> openAll(RuleVersion next) throws RuleLoadException {
        List<Object> opened = new ArrayList<>();
        try {
            for (LoadedRule rule : next.rules()) {
                opened.add(
                        rule.windowed()
                                ? WindowedInstance.open(next, rule, changes, watermark.getAsLong())
                                : PerEventRule.open(next, rule));
            }
            return opened;
        } catch (RuleLoadException | RuntimeException e) {
            for (Object instance : opened) {
                if (instance instanceof PerEventRule) {
                    ((PerEventRule) instance).close();
                } else {
                    ((WindowedInstance) instance).close();
                }
            }
            throw e;
        }
    }
}
