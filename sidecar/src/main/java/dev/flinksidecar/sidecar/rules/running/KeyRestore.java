package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.state.KeyStateReader;
import dev.flinksidecar.sidecar.state.RuleSection;
import dev.flinksidecar.sidecar.state.StateFormatException;
import dev.flinksidecar.sidecar.state.StoredSection;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import dev.flinksidecar.sidecar.window.WindowState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the windows of restored keys back into a session's engine, before its first batch.
 *
 * <pre>
 *  for each key   read and check the whole state (KeyStateReader): unreadable -> key dropped
 *  each section   1. the instance of exactly its rule, class and version, if the engine runs it
 *                 2. else its version, if the feed still has it: opened beside the running
 *                    version to finish these windows, as in the first run
 *                 3. else the running version of its class, if the swap rule lets it take the
 *                    windows over (same windows, lateness and non-null layout)
 *                 4. else dropped, with the reason
 *                 accumulators read with the codec of where they go; windows and timers back
 * </pre>
 *
 * <p>Each section names the version that held its windows right after the barrier (see {@link
 * KeyedState}), so 1 and 2 put every window back where it was; 3 is the swap rule applied at the
 * restore, for state older than the versions this sidecar has (a sidecar restarted with a newer
 * version). A key whose windows went to another version (3), or lost a section, is marked changed,
 * so the next barrier writes it again as it is now.
 *
 * <p>One restore (one StateRestore message); one thread: the engine's.
 */
final class KeyRestore {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRestore.class);

    private final Map<String, RuleSlot> slots;
    private final Function<String, RuleSlot> newSlot;
    private final RuleFeed feed;
    private final Consumer<RuleVersion> held;
    private final ContextSwitch context;
    private final ChangedKeys changes;
    private final List<String> failures = new ArrayList<>();

    /** {@code id@version} of versions the feed does not have. */
    private final Set<String> unavailable = new HashSet<>();

    /**
     * @param slots the engine's rules by id; a slot ({@code newSlot}) is added for a removed rule
     *     whose windows restored state still holds
     * @param held gets each older version opened here (acquired from the feed)
     * @param changes where keys that must be written again are marked
     */
    KeyRestore(
            Map<String, RuleSlot> slots,
            Function<String, RuleSlot> newSlot,
            RuleFeed feed,
            Consumer<RuleVersion> held,
            ContextSwitch context,
            ChangedKeys changes) {
        this.slots = slots;
        this.newSlot = newSlot;
        this.feed = feed;
        this.held = held;
        this.context = context;
        this.changes = changes;
    }

    /**
     * Restores {@code keys}. Runs rule code (codecs, and {@code open} of older versions).
     *
     * @return one message per key, or per section of a key, that could not be restored, naming the
     *     key
     */
    List<String> restore(List<KeyState> keys) {
        for (KeyState key : keys) {
            key(key.getKey(), key.getState().toByteArray());
        }
        return failures;
    }

    private void key(String key, byte[] state) {
        List<StoredSection> sections;
        try {
            sections = KeyStateReader.read(state);
        } catch (StateFormatException e) {
            failures.add("the state of key '" + key + "' is dropped: " + e.getMessage());
            changes.markChanged(key);
            return;
        }
        WindowedInstance[] targets = new WindowedInstance[sections.size()];
        String[] reasons = new String[sections.size()];
        for (int i = 0;
                i < targets.length;
                i++) { // first, so that 3 never takes a version a later section fills
            targets[i] = exact(sections.get(i).rule());
        }
        boolean adopted = false;
        for (int i = 0; i < targets.length; i++) {
            RuleSection rule = sections.get(i).rule();
            if (targets[i] == null) {
                targets[i] = exact(rule); // an older version an earlier section opened
            }
            if (targets[i] == null) {
                targets[i] = older(rule);
            }
            if (targets[i] == null) {
                WindowedInstance running = running(rule);
                if (running != null
                        && rule.adoptableBy(running.section)
                        && !targeted(targets, running)) {
                    targets[i] = running;
                    adopted = true;
                } else {
                    reasons[i] = whyNot(rule, running);
                }
            }
        }
        boolean dropped = false;
        for (int i = 0; i < targets.length; i++) {
            String reason =
                    reasons[i] != null ? reasons[i] : install(key, sections.get(i), targets[i]);
            if (reason != null) {
                failures.add(
                        "the windows of rule "
                                + sections.get(i).rule()
                                + " in the state of key '"
                                + key
                                + "' are dropped: "
                                + reason);
                dropped = true;
            }
        }
        if (adopted || dropped) {
            changes.markChanged(key); // its state now names the running version, or lost a section
        }
    }

    /** The instance of exactly the section's version and class, if the engine runs one. */
    private WindowedInstance exact(RuleSection rule) {
        RuleSlot slot = slots.get(rule.ruleId());
        if (slot != null) {
            for (RunningRule running : slot.running) {
                if (running instanceof WindowedChain) {
                    for (WindowedInstance instance : ((WindowedChain) running).all()) {
                        if (instance.section.sameInstanceAs(rule)) {
                            return instance;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * An instance of the section's version, still loaded by the feed, opened to finish its windows.
     */
    private WindowedInstance older(RuleSection rule) {
        String name = rule.ruleId() + "@" + rule.version();
        if (unavailable.contains(name)) {
            return null;
        }
        RuleVersion version = feed.restorable(rule.ruleId(), rule.version());
        LoadedRule loaded = null;
        if (version != null) {
            for (LoadedRule candidate : version.rules()) {
                if (candidate.windowed()
                        && RuleSection.classHash(candidate.className()) == rule.classHash()) {
                    loaded = candidate;
                }
            }
        }
        if (loaded == null) {
            if (version != null) {
                version.release();
            }
            unavailable.add(name);
            return null;
        }
        try {
            WindowedInstance instance =
                    slots.computeIfAbsent(rule.ruleId(), newSlot).finishRestored(version, loaded);
            held.accept(version);
            return instance;
        } catch (RuleLoadException e) {
            LOG.warn(
                    "rule {}, which restored state names, failed to open: {}",
                    name,
                    e.getMessage());
            version.release();
            unavailable.add(name);
            return null;
        }
    }

    /** The running version's instance of the section's class, or null. */
    private WindowedInstance running(RuleSection rule) {
        RuleSlot slot = slots.get(rule.ruleId());
        if (slot == null) {
            return null;
        }
        for (RunningRule running : slot.running) {
            if (running instanceof WindowedChain) {
                WindowedInstance current = ((WindowedChain) running).current();
                if (current != null && current.section.classHash() == rule.classHash()) {
                    return current;
                }
            }
        }
        return null;
    }

    private boolean targeted(WindowedInstance[] targets, WindowedInstance instance) {
        for (WindowedInstance target : targets) {
            if (target == instance) {
                return true;
            }
        }
        return false;
    }

    private String whyNot(RuleSection rule, WindowedInstance running) {
        RuleSlot slot = slots.get(rule.ruleId());
        if (slot == null || slot.version == null) {
            return "rule '"
                    + rule.ruleId()
                    + "' is not deployed in this sidecar, and its version "
                    + rule.version()
                    + " is not loaded";
        }
        String missing =
                "version " + rule.version() + " is not loaded in this sidecar any more, and ";
        if (running == null) {
            return missing
                    + "the running version "
                    + slot.version.version()
                    + " has no windowed rule of the same class";
        }
        if (rule.adoptableBy(running.section)) {
            return missing
                    + "the running version "
                    + running.section.version()
                    + " holds windows of the key under its own version already";
        }
        return missing
                + "the running version "
                + running.section
                + " cannot take its windows over (that needs the same windows, "
                + "allowed lateness and non-null state layout)";
    }

    /**
     * Decodes the section's accumulators with the target's codec and installs its windows; the
     * reason when that fails.
     */
    private String install(String key, StoredSection section, WindowedInstance target) {
        context.enter(target.loaded.classLoader());
        try {
            List<WindowState> windows = section.decode(target.rule.accumulatorCodec());
            target.windows.restore(key, windows);
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }
}
