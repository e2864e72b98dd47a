package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.WindowedRule;
import dev.flinksidecar.sidecar.window.EventTimeWindows;

/**
 * One opened rule instance inside a {@link RuleEngine}, per-event or windowed, behind the two
 * calls the engine makes: an event, and a watermark. The engine sets the context classloader
 * and the {@link BatchAnswer}'s position before each call.
 */
abstract class EngineRule {

    final LoadedRule loaded;

    EngineRule(LoadedRule loaded) {
        this.loaded = loaded;
    }

    /** Opens a fresh instance of {@code rule}. Runs rule code, with the rule's context classloader. */
    static EngineRule open(LoadedRule rule) throws RuleLoadException {
        if (!rule.windowed()) {
            return new PerEvent(rule, rule.open());
        }
        WindowedRule<?> instance = rule.openWindowed();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(rule.classLoader());
        try {
            return new Windowed(rule, instance);
        } catch (RuntimeException e) { // its windows passed the check at open; a rule that changes its mind is refused
            rule.close(instance);
            throw new RuleLoadException("rule jar " + rule.jarName() + ": rule " + rule.className() + " failed to open: "
                    + Reasons.of(e), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Runs the rule on one event; what it throws is the rule's failure on this event. */
    abstract void onEvent(Event event, BatchAnswer answer) throws Exception;

    /** Advances event time; only windowed rules care. */
    void onWatermark(long watermark, BatchAnswer answer) {}

    /** True for rules that {@link #onWatermark} concerns. */
    boolean windowed() {
        return false;
    }

    /** Closes the instance (failures are logged). Runs rule code. */
    abstract void close();

    /** A {@link Rule}: each event goes to {@code onEvent}. */
    private static final class PerEvent extends EngineRule {
        private final Rule rule;

        PerEvent(LoadedRule loaded, Rule rule) {
            super(loaded);
            this.rule = rule;
        }

        @Override
        void onEvent(Event event, BatchAnswer answer) throws Exception {
            rule.onEvent(event, answer);
        }

        @Override
        void close() {
            loaded.close(rule);
        }
    }

    /** A {@link WindowedRule}: events and watermarks go to its {@link EventTimeWindows}. */
    private static final class Windowed extends EngineRule {
        private final WindowedRule<?> rule;
        private final EventTimeWindows windows;

        Windowed(LoadedRule loaded, WindowedRule<?> rule) {
            super(loaded);
            this.rule = rule;
            this.windows = EventTimeWindows.of(rule);
        }

        @Override
        void onEvent(Event event, BatchAnswer answer) {
            if (windows.onElement(event, answer)) {
                answer.late();
            }
        }

        @Override
        void onWatermark(long watermark, BatchAnswer answer) {
            windows.onWatermark(watermark, answer);
        }

        @Override
        boolean windowed() {
            return true;
        }

        @Override
        void close() {
            loaded.close(rule);
        }
    }
}
