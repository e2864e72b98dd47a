package dev.flinksidecar.sidecar.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one rule version (labels {@code rule}, {@code version}), summed over every session
 * that runs it. Sessions' engines add to it once per batch, never per event.
 *
 * <p>Threads: thread-safe; the adders take concurrent batches of many sessions.
 */
public final class VersionMeters {

    /**
     * Records nothing: metrics are off, or the version is not the sidecar's ({@code replay}, a
     * self-test).
     */
    public static final VersionMeters NONE = new VersionMeters(null, null);

    /**
     * Bucket bounds of the batch latency histogram: a batch takes from tens of microseconds to
     * seconds.
     */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(50_000),
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofNanos(2_500_000),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    final String rule;
    final String version;

    /** Loaded versions with these labels; guarded by the {@link SidecarMetrics} lock. */
    int users;

    /**
     * What {@link #register} registered, for removal; guarded by the {@link SidecarMetrics} lock.
     */
    final List<Meter> registered = new ArrayList<>();

    private final LongAdder events = new LongAdder();
    private final LongAdder results = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder late = new LongAdder();
    private volatile Timer latency;

    VersionMeters(String rule, String version) {
        this.rule = rule;
        this.version = version;
    }

    /** False for {@link #NONE}: callers skip the work of counting. */
    public boolean enabled() {
        return this != NONE;
    }

    /**
     * {@code count} events went to this version (as the current version of its rule) in one batch.
     */
    public void events(int count) {
        if (this != NONE) {
            events.add(count);
        }
    }

    /**
     * What this version gave for one batch: results, dead letters (the rule threw), late events.
     */
    public void answered(int resultCount, int deadLetters, int lateEvents) {
        if (this == NONE) {
            return;
        }
        if (resultCount > 0) {
            results.add(resultCount);
        }
        if (deadLetters > 0) {
            errors.add(deadLetters);
        }
        if (lateEvents > 0) {
            late.add(lateEvents);
        }
    }

    /** One batch that this version took part in took {@code nanos} through the session's rules. */
    public void batch(long nanos) {
        Timer timer = latency;
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    List<Meter> register(MeterRegistry registry) {
        if (users == 0) {
            return List.of(); // unloaded before the registry was up
        }
        Tags tags = Tags.of("rule", rule, "version", version);
        registered.add(
                FunctionCounter.builder("sidecar.rule.events", events, LongAdder::sum)
                        .tags(tags)
                        .description(
                                "events handed to the version as its rule's current version, over all sessions")
                        .register(registry));
        registered.add(
                FunctionCounter.builder("sidecar.rule.results", results, LongAdder::sum)
                        .tags(tags)
                        .description(
                                "results the version gave (per-event results and window firings)")
                        .register(registry));
        registered.add(
                FunctionCounter.builder("sidecar.rule.errors", errors, LongAdder::sum)
                        .tags(tags)
                        .description("events the version threw on: dead letters")
                        .register(registry));
        registered.add(
                FunctionCounter.builder("sidecar.rule.late.events", late, LongAdder::sum)
                        .tags(tags)
                        .description("events too late for every window of the version")
                        .register(registry));
        Timer timer =
                Timer.builder("sidecar.rule.batch.duration")
                        .tags(tags)
                        .description(
                                "time one batch took through the session's rules, for each version that ran in it")
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry);
        registered.add(timer);
        latency = timer;
        return registered;
    }
}
