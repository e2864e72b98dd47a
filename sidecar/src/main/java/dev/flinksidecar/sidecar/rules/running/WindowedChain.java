package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Event;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.window.TakenWindows;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * A windowed rule in one session: the current version's instance, and the instances of older
 * versions that finish the windows they opened (their accumulator layout did not let the new
 * version take them over).
 *
 * <pre>
 *   event:      older versions, oldest first: add it to the windows they have open (late firings)
 *               current version: every other window of the event (onElement)
 *               late only if the current version finds it late and no older version took it
 *   watermark:  older versions fire and drop their windows, then the current one fires its own
 *   reap:       an older version with no open window left is closed
 * </pre>
 *
 * <p>So every window is computed by exactly one version: the one it was opened under. When an older
 * version has the same windows as the current one, the current one leaves the windows the older
 * took alone; with other windows (a new size, say), the new version's windows start with the events
 * after the switch. Gap windows (Flink's session windows) are not merged across versions.
 *
 * <p>{@code current} is null after the rule was removed: only older versions finish.
 */
final class WindowedChain extends RunningRule {

    private final WindowedInstance current;
    private final List<WindowedInstance> older;
    private final TakenWindows skip = new TakenWindows();

    WindowedChain(WindowedInstance current, List<WindowedInstance> older) {
        this.current = current;
        this.older = new ArrayList<>(older);
    }

    WindowedInstance current() {
        return current;
    }

    /** The older versions followed by the current one, oldest first: what a successor inherits. */
    List<WindowedInstance> all() {
        List<WindowedInstance> all = new ArrayList<>(older);
        if (current != null) {
            all.add(current);
        }
        return all;
    }

    /** The older versions only (the engine may add one that restored windows finish under). */
    List<WindowedInstance> older() {
        return older;
    }

    /** True when one of its versions is an instance of the class {@code className}. */
    boolean runs(String className) {
        for (WindowedInstance instance : all()) {
            if (instance.loaded.className().equals(className)) {
                return true;
            }
        }
        return false;
    }

    @Override
    void index(List<RuleRef> table, List<RuleVersion> versions) {
        for (WindowedInstance instance : all()) {
            instance.index = table.size();
            table.add(instance.loaded.ref());
            versions.add(instance.version);
        }
    }

    @Override
    long openWindows() {
        long open = current == null ? 0 : current.windows.openWindows();
        for (int i = 0; i < older.size(); i++) {
            open += older.get(i).windows.openWindows();
        }
        return open;
    }

    @Override
    long windowKeys() {
        long keys = current == null ? 0 : current.windows.keys();
        for (int i = 0; i < older.size(); i++) {
            keys += older.get(i).windows.keys();
        }
        return keys;
    }

    @Override
    void indexes(BitSet into) {
        for (WindowedInstance instance : all()) {
            into.set(instance.index);
        }
    }

    @Override
    RuleVersion blamed() {
        return current != null ? current.version : older.get(older.size() - 1).version;
    }

    @Override
    int index() {
        return current != null ? current.index : older.get(older.size() - 1).index;
    }

    @Override
    void onEvent(Event event, BatchAnswer answer, ContextSwitch context) {
        boolean took = false;
        skip.clear();
        for (WindowedInstance old : older) {
            context.enter(old.loaded.classLoader());
            answer.rule(old.index);
            old.taken.clear();
            if (old.windows.addToOpen(event, answer, old.taken)) {
                took = true;
                if (current != null && old.sameWindowsAs(current)) {
                    skip.addAll(old.taken);
                }
            }
        }
        if (current == null) {
            return;
        }
        context.enter(current.loaded.classLoader());
        if (!older.isEmpty()) {
            answer.rule(
                    current.index); // the engine positioned the answer at it, older ones moved it
        }
        if (current.windows.onElement(event, answer, skip) && !took) {
            answer.late();
        }
    }

    @Override
    void onWatermark(long watermark, BatchAnswer answer, ContextSwitch context) {
        for (WindowedInstance old : older) {
            context.enter(old.loaded.classLoader());
            answer.rule(old.index);
            old.windows.onWatermark(watermark, answer);
        }
        if (current != null) {
            context.enter(current.loaded.classLoader());
            answer.rule(current.index);
            current.windows.onWatermark(watermark, answer);
        }
    }

    @Override
    boolean windowed() {
        return true;
    }

    @Override
    void versions(Collection<RuleVersion> into) {
        for (WindowedInstance instance : all()) {
            into.add(instance.version);
        }
    }

    @Override
    boolean reap() {
        boolean closed = false;
        for (Iterator<WindowedInstance> it = older.iterator(); it.hasNext(); ) {
            WindowedInstance old = it.next();
            if (old.windows.openWindows() == 0) {
                it.remove();
                old.close();
                closed = true;
            }
        }
        return closed;
    }

    @Override
    boolean finished() {
        return current == null && older.isEmpty();
    }

    @Override
    void close() {
        for (WindowedInstance instance : all()) {
            instance.close();
        }
    }
}
