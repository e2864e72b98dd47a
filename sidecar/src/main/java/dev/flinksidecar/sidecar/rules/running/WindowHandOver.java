package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.sidecar.rules.loading.Reasons;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import dev.flinksidecar.sidecar.window.EventTimeWindows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands a promoted candidate's windows, built in shadow by another engine on the same events since
 * the shadow began, to the session's engine, right after the barrier where the session switched to
 * that version:
 *
 * <pre>
 *   for each windowed rule class of the session's (new) version:
 *     the candidate's instance of that class, same windows and lateness, aligned windows
 *       --copy every open window, accumulators through both codecs (EventTimeWindows.copyFrom)
 *   all copied?  no  --> nothing changes (the version before finishes its windows, as any deploy)
 *                yes --> every key of the windows replaced or dropped is marked changed;
 *                        the new version's windows become the copies;
 *                        the older versions of that class, finishing their windows, are closed
 * </pre>
 *
 * <p>So every window open at the barrier is computed by the candidate, from all of its events, and
 * by no other version; the next checkpoint writes the candidate's windows for every key it holds
 * and clears the keys only older versions held. Gap windows are not handed over: a session window
 * open at the promote may have begun before the shadow did, so the candidate's may lack events.
 *
 * <p>One thread: the session engine's, while the shadow engine runs nothing (its thread has ended).
 */
final class WindowHandOver {

    private WindowHandOver() {}

    /**
     * Hands {@code candidate}'s windows over to {@code session}, a slot of the same rule id in the
     * session's engine. Runs rule code (codecs, {@code close} of older versions).
     *
     * @param changes the session's changed keys
     * @param watermark the session's watermark, which the candidate's windows are at too
     * @return null when handed over; else why not, and nothing changed
     */
    static String handOver(
            RuleSlot session,
            RuleSlot candidate,
            ChangedKeys changes,
            long watermark,
            ContextSwitch context) {
        Map<String, WindowedInstance> theirs = new HashMap<>();
        for (RunningRule rule : candidate.running) {
            if (rule instanceof WindowedChain && ((WindowedChain) rule).current() != null) {
                WindowedInstance instance = ((WindowedChain) rule).current();
                theirs.put(instance.loaded.className(), instance);
            }
        }
        List<WindowedChain> chains = new ArrayList<>();
        List<EventTimeWindows> copies = new ArrayList<>();
        for (RunningRule rule : session.running) {
            if (!(rule instanceof WindowedChain) || ((WindowedChain) rule).current() == null) {
                continue;
            }
            WindowedChain chain = (WindowedChain) rule;
            WindowedInstance mine = chain.current();
            WindowedInstance shadow = theirs.get(mine.loaded.className());
            if (shadow == null) {
                return "the candidate runs no " + mine.loaded.className() + " (quarantined?)";
            }
            if (!mine.sameWindowsAs(shadow)) {
                return "the candidate's " + mine.loaded.className() + " has other windows";
            }
            if (mine.assigner.type() == WindowAssigner.Type.SESSION) {
                return "gap windows are not handed over: a session window open now may have begun"
                        + " before the shadow";
            }
            try {
                copies.add(mine.copyOf(shadow, changes, watermark, context));
            } catch (IOException | RuntimeException e) {
                return "the windows of "
                        + mine.loaded.className()
                        + " could not be copied: "
                        + Reasons.of(e);
            }
            chains.add(chain);
        }
        if (chains.isEmpty()) {
            return "the rule has no windowed rule running";
        }
        for (int i = 0; i < chains.size(); i++) {
            WindowedChain chain = chains.get(i);
            chain.current().windows.markEveryKeyChanged();
            for (WindowedInstance older : chain.older()) {
                older.windows.markEveryKeyChanged();
                older.close();
            }
            chain.older().clear();
            chain.current().windows = copies.get(i);
        }
        return null;
    }
}
