package dev.flinksidecar.sidecar.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's metrics (METRICS.md), exported in the Prometheus text format by {@link #scrape()}.
 *
 * <pre>
 *   data path (rule threads, event loops)        this class                     /metrics (HTTP thread)
 *   VersionMeters / SessionMeters:        -->   function meters read them  -->  scrape()
 *     LongAdders and atomics, added once         (registered when the registry
 *     per batch, per read or per write            exists, removed with their owner)
 * </pre>
 *
 * <p>Nothing on the data path touches Micrometer except the batch latency timer: counters and
 * gauges are plain adders that the registry reads at scrape time. So the Micrometer and Prometheus
 * classes (about 150 ms and 500 classes when the JVM is cold) and the JVM binders load on a
 * background thread after the socket accepts ({@link #start()}), off the path to ready; meters of
 * versions and sessions that start before are registered then, and count from their start all the
 * same. Only latencies of batches answered before the registry is up are missing from the
 * histogram.
 *
 * <p>Series of a rule version go when the version is unloaded, those of a session when the last
 * session with its labels closes, so the number of series stays bounded while rules are swapped and
 * jobs come and go (Prometheus reads a series that comes back as a counter reset).
 *
 * <p>Threads: thread-safe. Registration and removal take this object's lock briefly (a version
 * deployed or unloaded, a session opened or closed); {@link #scrape()} does not take it.
 */
public final class SidecarMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(SidecarMetrics.class);

    private final boolean enabled;

    /** Null until {@link #start()} has built it; then only read. */
    private volatile PrometheusMeterRegistry registry;

    /** Registers meters on the registry once it exists; each returns the meters it registered. */
    private final List<Registration> pending = new ArrayList<>();

    private final Map<List<String>, VersionMeters> versions = new HashMap<>();
    private final Map<List<String>, SessionMeters.Series> sessions = new HashMap<>();
    private final Map<String, LongAdder> activations = new HashMap<>();
    private final LongAdder refusals = new LongAdder();

    private SidecarMetrics(boolean enabled) {
        this.enabled = enabled;
    }

    /** Metrics that record (when {@code enabled}) and are served once {@link #start()} ran. */
    public static SidecarMetrics create(boolean enabled) {
        return new SidecarMetrics(enabled);
    }

    /**
     * Metrics that record nothing: {@code serve} without {@code --http-port}, {@code replay},
     * tests.
     */
    public static SidecarMetrics disabled() {
        return new SidecarMetrics(false);
    }

    /** False when nothing is recorded. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Builds the registry and binds the JVM's metrics on a daemon thread ({@code
     * sidecar-metrics-init}), then registers what was recorded so far. Returns at once.
     */
    public void start() {
        if (!enabled) {
            return;
        }
        Thread init = new Thread(this::build, "sidecar-metrics-init");
        init.setDaemon(true);
        init.start();
    }

    private void build() {
        long started = System.nanoTime();
        PrometheusMeterRegistry built = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // counted in nanoseconds, not a base unit; process_cpu_usage says the same per scrape
        built.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        new JvmMemoryMetrics().bindTo(built);
        new JvmGcMetrics().bindTo(built);
        new ClassLoaderMetrics().bindTo(built);
        new JvmThreadMetrics().bindTo(built);
        new ProcessorMetrics().bindTo(built);
        FunctionCounter.builder("sidecar.rule.refusals", refusals, LongAdder::sum)
                .description("rule jars refused (admin deploys and files of the rules directory)")
                .register(built);
        synchronized (this) {
            for (Registration registration : pending) {
                registration.register(built);
            }
            pending.clear();
            registry = built;
        }
        LOG.debug("metrics registry ready after {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * The metrics in the Prometheus text format (version 0.0.4); empty until {@link #start()} has
     * finished, or when disabled.
     */
    public String scrape() {
        PrometheusMeterRegistry current = registry;
        return current == null ? "" : current.scrape();
    }

    /** True once the registry serves (JVM metrics included). */
    public boolean serving() {
        return registry != null;
    }

    /**
     * The meters of one loaded rule version; the same object for the same rule and version while
     * one is loaded. Give it back with {@link #release(VersionMeters)} when the version is
     * unloaded.
     */
    public VersionMeters version(String rule, String version) {
        if (!enabled) {
            return VersionMeters.NONE;
        }
        synchronized (this) {
            List<String> key = List.of(rule, version);
            VersionMeters meters = versions.get(key);
            if (meters == null) {
                meters = new VersionMeters(rule, version);
                versions.put(key, meters);
                meters.users++;
                register(meters::register);
            } else {
                meters.users++;
            }
            return meters;
        }
    }

    /** The version is unloaded: its series go when no other loaded version has its labels. */
    public void release(VersionMeters meters) {
        if (meters == VersionMeters.NONE) {
            return;
        }
        synchronized (this) {
            if (--meters.users == 0) {
                versions.remove(List.of(meters.rule, meters.version));
                remove(meters.registered);
            }
        }
    }

    /**
     * The meters of a new session, bound to its labels once its Hello came ({@link
     * SessionMeters#open}).
     */
    public SessionMeters session() {
        return enabled ? new SessionMeters(this) : SessionMeters.NONE;
    }

    synchronized SessionMeters.Series joinSeries(int subtask, String task) {
        List<String> key = List.of(Integer.toString(subtask), task);
        SessionMeters.Series series = sessions.get(key);
        if (series == null) {
            series = new SessionMeters.Series(key.get(0), task);
            sessions.put(key, series);
            series.users++;
            register(series::register);
        } else {
            series.users++;
        }
        return series;
    }

    synchronized void leaveSeries(SessionMeters.Series series) {
        if (--series.users == 0) {
            sessions.remove(List.of(series.subtask, series.task));
            remove(series.registered);
        }
    }

    /** A version of rule {@code rule} became active (a swap, or its first version). */
    public void activated(String rule) {
        if (!enabled) {
            return;
        }
        LongAdder count;
        synchronized (this) {
            count = activations.get(rule);
            if (count == null) {
                LongAdder created = new LongAdder();
                activations.put(rule, created);
                count = created;
                register(
                        registry ->
                                List.of(
                                        FunctionCounter.builder(
                                                        "sidecar.rule.activations",
                                                        created,
                                                        LongAdder::sum)
                                                .description(
                                                        "versions of the rule that became active: its first deploy and every swap")
                                                .tag("rule", rule)
                                                .register(registry)));
            }
        }
        count.increment();
    }

    /** A rule jar was refused. */
    public void refused() {
        if (enabled) {
            refusals.increment();
        }
    }

    /** A gauge that lives as long as the process, e.g. open sessions; {@code fn} must not block. */
    public <T> void gauge(
            String name, String description, String baseUnit, T source, ToDoubleFunction<T> fn) {
        if (!enabled) {
            return;
        }
        register(
                registry ->
                        List.of(
                                Gauge.builder(name, source, fn)
                                        .description(description)
                                        .baseUnit(baseUnit)
                                        .strongReference(true)
                                        .register(registry)));
    }

    /** A counter that lives as long as the process, read from {@code source} at scrape time. */
    public <T> void counter(String name, String description, T source, ToDoubleFunction<T> fn) {
        if (!enabled) {
            return;
        }
        register(
                registry ->
                        List.of(
                                FunctionCounter.builder(name, source, fn)
                                        .description(description)
                                        .register(registry)));
    }

    /**
     * A counter with tags ({@code name, value} pairs) that lives as long as the process, read from
     * {@code source} at scrape time; register each set of tags once.
     */
    public <T> void counter(
            String name, String description, List<String> tags, T source, ToDoubleFunction<T> fn) {
        if (!enabled) {
            return;
        }
        register(
                registry -> {
                    FunctionCounter.Builder<T> builder =
                            FunctionCounter.builder(name, source, fn).description(description);
                    for (int i = 0; i + 1 < tags.size(); i += 2) {
                        builder.tag(tags.get(i), tags.get(i + 1));
                    }
                    return List.of(builder.register(registry));
                });
    }

    /** Registers now if the registry exists, else when it does. */
    private synchronized void register(Registration registration) {
        if (registry != null) {
            registration.register(registry);
        } else {
            pending.add(registration);
        }
    }

    /**
     * Removes meters registered for an owner that is gone (nothing when they were never
     * registered).
     */
    private void remove(List<Meter> meters) {
        PrometheusMeterRegistry current = registry;
        if (current != null) {
            meters.forEach(current::remove);
        }
        meters.clear();
    }

    /** Registers some meters on the registry and returns them. */
    @FunctionalInterface
    interface Registration {
        List<Meter> register(MeterRegistry registry);
    }
}
