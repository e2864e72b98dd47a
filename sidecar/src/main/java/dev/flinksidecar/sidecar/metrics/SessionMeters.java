package dev.flinksidecar.sidecar.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The meters of one session (one connection). Its series carry the labels {@code subtask} and
 * {@code task} (the operator's name) from the session's Hello; sessions with the same labels at
 * once (two jobs with equally named operators) add up in one series.
 *
 * <p>Threads: {@link #open}, {@link #received}, {@link #sent}, {@link #batch} and {@link #close}
 * run on the session's event loop; {@link #answered}, {@link #windows} and {@link #checkpointState}
 * on its rule executor. Each is a few adds, once per batch, read or write.
 */
public final class SessionMeters {

    /** Records nothing: metrics are off. */
    public static final SessionMeters NONE = new SessionMeters(null);

    private final SidecarMetrics owner;

    /** Null until the Hello; event loop only. */
    private Series series;

    /** Bytes before the Hello named the labels; event loop only. */
    private long receivedBefore;

    private long sentBefore;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile long openWindows;
    private volatile long windowKeys;
    private volatile long checkpointStateBytes;

    SessionMeters(SidecarMetrics owner) {
        this.owner = owner;
    }

    /** False for {@link #NONE}: callers skip the work of counting. */
    public boolean enabled() {
        return this != NONE;
    }

    /** The session's Hello named its subtask and task: from now on it counts under them. */
    public void open(int subtask, String task) {
        if (this == NONE || series != null) {
            return;
        }
        series = owner.joinSeries(subtask, task);
        series.members.add(this);
        series.receivedBytes.add(receivedBefore);
        series.sentBytes.add(sentBefore);
    }

    /** Bytes read from the session's socket. */
    public void received(int bytes) {
        if (series != null) {
            series.receivedBytes.add(bytes);
        } else {
            receivedBefore += bytes;
        }
    }

    /** Bytes written to the session's socket. */
    public void sent(int bytes) {
        if (series != null) {
            series.sentBytes.add(bytes);
        } else {
            sentBefore += bytes;
        }
    }

    /** A batch of {@code events} events arrived; they are in flight until {@link #answered}. */
    public void batch(int events) {
        if (series != null) {
            series.batches.increment();
            series.events.add(events);
            inFlight.addAndGet(events);
        }
    }

    /** A batch of {@code events} events was answered (or dropped because the session closed). */
    public void answered(int events) {
        if (this != NONE) {
            inFlight.addAndGet(-events);
        }
    }

    /**
     * The session's windows now: open windows and keys with open windows, over its windowed rules.
     */
    public void windows(long open, long keys) {
        openWindows = open;
        windowKeys = keys;
    }

    /** The bytes of keyed state the session wrote at its last checkpoint barrier. */
    public void checkpointState(long bytes) {
        checkpointStateBytes = bytes;
    }

    /** The session closed: its series goes when it was the last with its labels. */
    public void close() {
        if (series != null) {
            series.members.remove(this);
            owner.leaveSeries(series);
            series = null;
        }
    }

    /** The series of one label set, shared by the sessions that have it. */
    static final class Series {
        final String subtask;
        final String task;

        /** Guarded by the {@link SidecarMetrics} lock. */
        int users;

        final List<Meter> registered = new ArrayList<>();
        final Set<SessionMeters> members = ConcurrentHashMap.newKeySet();
        final LongAdder batches = new LongAdder();
        final LongAdder events = new LongAdder();
        final LongAdder receivedBytes = new LongAdder();
        final LongAdder sentBytes = new LongAdder();

        Series(String subtask, String task) {
            this.subtask = subtask;
            this.task = task;
        }

        List<Meter> register(MeterRegistry registry) {
            if (users == 0) {
                return List.of(); // closed before the registry was up
            }
            Tags tags = Tags.of("subtask", subtask, "task", task);
            counter(
                    registry,
                    tags,
                    "sidecar.session.batches",
                    null,
                    batches,
                    "event batches received");
            counter(registry, tags, "sidecar.session.events", null, events, "events received");
            counter(
                    registry,
                    tags,
                    "sidecar.session.received",
                    BaseUnits.BYTES,
                    receivedBytes,
                    "bytes read from the session's socket (frames with their length fields)");
            counter(
                    registry,
                    tags,
                    "sidecar.session.sent",
                    BaseUnits.BYTES,
                    sentBytes,
                    "bytes written to the session's socket (frames with their length fields)");
            gauge(
                    registry,
                    tags,
                    "sidecar.session.events.in.flight",
                    null,
                    s -> s.inFlight.get(),
                    "events received and not yet answered");
            gauge(
                    registry,
                    tags,
                    "sidecar.window.open",
                    null,
                    s -> s.openWindows,
                    "open windows over the session's windowed rules (older versions finishing theirs included), as of its last batch");
            gauge(
                    registry,
                    tags,
                    "sidecar.window.keys",
                    null,
                    s -> s.windowKeys,
                    "keys with open windows, per windowed rule summed (a key in two rules counts twice), as of the last batch");
            gauge(
                    registry,
                    tags,
                    "sidecar.window.checkpoint.state",
                    BaseUnits.BYTES,
                    s -> s.checkpointStateBytes,
                    "bytes of keyed window state the session wrote at its last checkpoint barrier (the keys changed since the one before)");
            return registered;
        }

        private void counter(
                MeterRegistry registry,
                Tags tags,
                String name,
                String unit,
                LongAdder adder,
                String description) {
            registered.add(
                    FunctionCounter.builder(name, adder, LongAdder::sum)
                            .tags(tags)
                            .baseUnit(unit)
                            .description(description)
                            .register(registry));
        }

        private void gauge(
                MeterRegistry registry,
                Tags tags,
                String name,
                String unit,
                ToLongFunction<SessionMeters> value,
                String description) {
            registered.add(
                    Gauge.builder(name, this, series -> sum(series, value))
                            .tags(tags)
                            .baseUnit(unit)
                            .description(description)
                            .strongReference(true)
                            .register(registry));
        }

        private static double sum(Series series, ToLongFunction<SessionMeters> value) {
            long sum = 0;
            for (SessionMeters member : series.members) {
                sum += value.applyAsLong(member);
            }
            return sum;
        }
    }
}
