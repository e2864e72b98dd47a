package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.sidecar.metrics.VersionMeters;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One version of one rule as sessions run it: a loaded {@link RuleJar} (or, for a self-test, its
 * rules with another config), with a count of who uses it so that its classloader is closed as soon
 * as nothing can use it any more.
 *
 * <pre>
 *   managed:  refs = 1 (the registry, while sessions may still be given it)
 *             + 1 per session engine holding instances of it
 *             refs -> 0  =>  onUnused (close the loader, watch that it is collected)
 *   unmanaged (replay, a fixed RuleSet, a self-test): never counted; its owner closes it
 * </pre>
 *
 * <p>Thread-safe: engines on rule threads release, the registry acquires under its lock.
 */
public final class RuleVersion {

    private final RuleJar jar;
    private final String id;
    private final String version;
    private final List<LoadedRule> rules;
    private final boolean windowed;
    private final RuleRef ref;
    private final LongAdder events;
    private final VersionMeters meters;
    private final Consumer<RuleVersion> onUnused;
    private final AtomicInteger refs = new AtomicInteger(1);

    private RuleVersion(
            RuleJar jar,
            List<LoadedRule> rules,
            LongAdder events,
            VersionMeters meters,
            Consumer<RuleVersion> onUnused) {
        this.jar = jar;
        this.id = rules.get(0).id();
        this.version = rules.get(0).version();
        this.rules = List.copyOf(rules);
        this.windowed = rules.stream().anyMatch(LoadedRule::windowed);
        this.ref = RuleRef.newBuilder().setId(id).setVersion(version).build();
        this.events = events;
        this.meters = meters;
        this.onUnused = onUnused;
    }

    /** A version that is never counted: its owner closes the jar. */
    public static RuleVersion unmanaged(RuleJar jar) {
        return new RuleVersion(jar, jar.rules(), new LongAdder(), VersionMeters.NONE, null);
    }

    /** The rules of {@code jar} as a version without a jar to close (a self-test's). */
    static RuleVersion unmanaged(List<LoadedRule> rules) {
        return new RuleVersion(null, rules, new LongAdder(), VersionMeters.NONE, null);
    }

    /**
     * A counted version holding one reference (its creator's).
     *
     * @param events where the events it handles are counted (kept by its creator beyond its life)
     * @param meters its metrics, given back by its creator when it is unused
     * @param onUnused called once, on the thread that releases the last reference
     */
    public static RuleVersion managed(
            RuleJar jar, LongAdder events, VersionMeters meters, Consumer<RuleVersion> onUnused) {
        return new RuleVersion(jar, jar.rules(), events, meters, onUnused);
    }

    /** The rule id. */
    public String id() {
        return id;
    }

    /** The version its results carry, e.g. {@code 1.2.0+3f2a9c1}. */
    public String version() {
        return version;
    }

    /** Id and version as the protocol carries them. */
    public RuleRef ref() {
        return ref;
    }

    /** The jar, or null for a self-test's version. */
    public RuleJar jar() {
        return jar;
    }

    /** Its rule classes, in the jar's order. */
    public List<LoadedRule> rules() {
        return rules;
    }

    /** True when it has a windowed rule (state): it changes only at checkpoint barriers. */
    public boolean windowed() {
        return windowed;
    }

    /** Adds a reference. Only valid while the caller knows another reference is held. */
    public void acquire() {
        if (onUnused != null && refs.getAndIncrement() <= 0) {
            throw new IllegalStateException(this + " was acquired after its last release");
        }
    }

    /** Drops a reference; the last one hands the version to {@code onUnused}. */
    public void release() {
        if (onUnused == null) {
            return;
        }
        int left = refs.decrementAndGet();
        if (left == 0) {
            onUnused.accept(this);
        } else if (left < 0) {
            throw new IllegalStateException(this + " was released more often than acquired");
        }
    }

    /** References held now (1 for an unmanaged version). */
    public int references() {
        return refs.get();
    }

    /** Counts {@code count} events handed to this version, once per batch. */
    public void countEvents(int count) {
        events.add(count);
        meters.events(count);
    }

    /**
     * Its metrics ({@link VersionMeters#NONE} when it is not the sidecar's, or metrics are off).
     */
    public VersionMeters meters() {
        return meters;
    }

    @Override
    public String toString() {
        return id.concat("@").concat(version);
    }
}
