package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The rule versions taken out of service because they ran past their time budget on one batch,
 * threw an {@link Error}, or were running when the sidecar died: their events go to the dead
 * letters instead, with the reason, while the other rules go on. Shared by every session of a
 * sidecar: a version quarantined in one session is quarantined in all of them from their next
 * batch. Deploying or rolling back the rule lifts it ({@link #lift}).
 *
 * <p>Engines look at {@link #epoch()} once per batch, and at the versions only when it moved.
 *
 * <p>Thread-safe.
 */
public final class Quarantines {

    /** One quarantined version: which, why, since when. */
    public record Entry(String id, String version, String reason, Instant since) {

        /** The dead letters' reason: "rule fraud 1.2.0+ab12cd3 quarantined: ...". */
        public String deadLetterReason() {
            return "rule " + id + " " + version + " quarantined: " + reason;
        }
    }

    private final Map<String, Entry> byVersion = new ConcurrentHashMap<>();
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong epoch = new AtomicLong();

    /** Tells {@code listener} of each version quarantined from now on (logs, metrics). */
    public void onQuarantine(Consumer<Entry> listener) {
        listeners.add(listener);
    }

    /**
     * Quarantines {@code version} of rule {@code id} unless it is already.
     *
     * @return the entry in force: the new one, or the earlier one
     */
    public Entry add(String id, String version, String reason) {
        Entry entry = new Entry(id, version, reason, Instant.now());
        Entry earlier = byVersion.putIfAbsent(key(id, version), entry);
        if (earlier != null) {
            return earlier;
        }
        epoch.incrementAndGet();
        for (Consumer<Entry> listener : listeners) {
            listener.accept(entry);
        }
        return entry;
    }

    /** As {@link #add(String, String, String)} for a running version. */
    Entry add(RuleVersion version, String reason) {
        return add(version.id(), version.version(), reason);
    }

    /** The quarantine of {@code version}, or null. */
    public Entry of(RuleVersion version) {
        return byVersion.isEmpty() ? null : byVersion.get(key(version.id(), version.version()));
    }

    /** The quarantine of version {@code version} of rule {@code id}, or null. */
    public Entry of(String id, String version) {
        return byVersion.get(key(id, version));
    }

    /**
     * Lifts the quarantine of every version of rule {@code id} (a deploy or rollback of it).
     *
     * @return the entries lifted
     */
    public List<Entry> lift(String id) {
        List<Entry> lifted = new ArrayList<>();
        byVersion
                .values()
                .removeIf(
                        entry -> {
                            if (entry.id().equals(id)) {
                                lifted.add(entry);
                                return true;
                            }
                            return false;
                        });
        if (!lifted.isEmpty()) {
            epoch.incrementAndGet();
        }
        return lifted;
    }

    /** Every quarantined version, by rule id and version. */
    public List<Entry> all() {
        List<Entry> all = new ArrayList<>(byVersion.values());
        all.sort(Comparator.comparing(Entry::id).thenComparing(Entry::version));
        return all;
    }

    /** Moves whenever a version is quarantined or lifted. */
    public long epoch() {
        return epoch.get();
    }

    private static String key(String id, String version) {
        return id.concat("@").concat(version);
    }
}
