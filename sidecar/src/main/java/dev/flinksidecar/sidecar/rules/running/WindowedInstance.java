package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.rule.WindowedRule;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.Reasons;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.state.RuleSection;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import dev.flinksidecar.sidecar.window.EventTimeWindows;
import dev.flinksidecar.sidecar.window.TakenWindows;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * One opened {@link WindowedRule} instance of one version in one session, with its windows and what
 * it declared at open: windows, lateness, accumulator layout (read once, as the rule API promises).
 *
 * <p>One thread: the engine's.
 */
final class WindowedInstance {

    final RuleVersion version;
    final LoadedRule loaded;
    final WindowedRule<?> rule;
    final WindowAssigner assigner;
    final Duration lateness;
    final String layout;

    /** How checkpoints name this instance's windows. */
    final RuleSection section;

    final TakenWindows taken = new TakenWindows();
    EventTimeWindows windows;
    int index;

    private WindowedInstance(
            RuleVersion version,
            LoadedRule loaded,
            WindowedRule<?> rule,
            EventTimeWindows windows) {
        this.version = version;
        this.loaded = loaded;
        this.rule = rule;
        this.assigner = rule.windowAssigner();
        this.lateness = rule.allowedLateness();
        this.layout = rule.stateLayout();
        this.section =
                new RuleSection(
                        loaded.id(),
                        RuleSection.classHash(loaded.className()),
                        loaded.version(),
                        layout,
                        assigner,
                        lateness.toMillis());
        this.windows = windows;
    }

    /**
     * Opens a fresh instance with empty windows at the session's {@code watermark}, whose changes
     * are marked in {@code changes}. Runs rule code with the rule's context classloader.
     */
    static WindowedInstance open(
            RuleVersion version, LoadedRule loaded, ChangedKeys changes, long watermark)
            throws RuleLoadException {
        WindowedRule<?> rule = loaded.openWindowed();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loaded.classLoader());
        try {
            EventTimeWindows windows = EventTimeWindows.of(rule, changes);
            windows.startAt(watermark);
            return new WindowedInstance(version, loaded, rule, windows);
        } catch (RuntimeException
                | LinkageError
                        e) { // its windows passed the check at open; a rule that changes its mind
            // is refused
            loaded.close(rule);
            throw new RuleLoadException(
                    "rule jar "
                            + loaded.jarName()
                            + ": rule "
                            + loaded.className()
                            + " failed to open: "
                            + Reasons.of(e),
                    Reasons.stack(e),
                    e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * True when both assign the same windows with the same lateness: a window of one is a window of
     * the other.
     */
    boolean sameWindowsAs(WindowedInstance other) {
        return assigner.equals(other.assigner) && lateness.equals(other.lateness);
    }

    /**
     * True when this instance may take over {@code older}'s open windows: same windows and the same
     * declared layout.
     */
    boolean canAdopt(WindowedInstance older) {
        return layout != null && layout.equals(older.layout) && sameWindowsAs(older);
    }

    /**
     * Takes over {@code older}'s open windows, their accumulators passed through both versions'
     * codecs. Runs rule code.
     *
     * @throws IOException when a codec fails; nothing has changed then
     */
    void adopt(WindowedInstance older, ContextSwitch context) throws IOException {
        context.enter(loaded.classLoader());
        older.windows.adopt(rule, accumulator -> transfer(older.rule, rule, accumulator));
        windows = older.windows;
    }

    /**
     * New windows of this instance holding a copy of {@code candidate}'s open windows: the same
     * rule, run in shadow by another engine on the same events, with the same windows and lateness
     * (see {@link EventTimeWindows#copyFrom}). They mark the keys they change in {@code changes}
     * and start at the session's {@code watermark}. Nothing is installed yet. Runs rule code (both
     * codecs).
     *
     * @throws IOException when a codec fails
     */
    EventTimeWindows copyOf(
            WindowedInstance candidate, ChangedKeys changes, long watermark, ContextSwitch context)
            throws IOException {
        context.enter(loaded.classLoader());
        EventTimeWindows copy = EventTimeWindows.of(rule, changes);
        copy.startAt(watermark);
        copy.copyFrom(
                candidate.windows, accumulator -> transfer(candidate.rule, rule, accumulator));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object transfer(WindowedRule<?> from, WindowedRule<?> to, Object accumulator)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ((AccumulatorCodec<Object>) from.accumulatorCodec())
                .write(accumulator, new DataOutputStream(bytes));
        return Objects.requireNonNull(
                to.accumulatorCodec()
                        .read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))),
                "the new version's codec read null");
    }

    void close() {
        loaded.close(rule);
    }

    @Override
    public String toString() {
        return loaded.toString();
    }
}
