package dev.flinksidecar.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

/**
 * Paces a source at a rate by releasing the events due at each millisecond tick together, the way a
 * Kafka source hands over what one poll returned.
 *
 * <p>Flink's {@link RateLimiterStrategy#perSecond} acquires every single record on a thread of its
 * own and wakes the task thread for it: two thread hand-offs per event, which at 100,000 events/s
 * and more take most of a core on this machine and turn a latency run into a measurement of CPU
 * starvation. Here an event that is already due is granted at once (a completed future, no
 * hand-off); only when the source is ahead of its schedule does it wait, until the next
 * millisecond.
 */
final class TickRateLimiter implements RateLimiter<SourceSplit> {

    private final double eventsPerNano;
    private long start;
    private long granted;

    private TickRateLimiter(double eventsPerSecond) {
        this.eventsPerNano = eventsPerSecond / 1e9;
    }

    /** A strategy for a source of the given total rate, split evenly over its subtasks. */
    static RateLimiterStrategy<SourceSplit> perSecond(double eventsPerSecond) {
        return parallelism -> new TickRateLimiter(eventsPerSecond / parallelism);
    }

    @Override
    public CompletionStage<Void> acquire(int events) {
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
        }
        granted += events;
        long dueAt = start + (long) (granted / eventsPerNano);
        if (dueAt <= now) {
            return CompletableFuture.completedFuture(null);
        }
        long nextTick =
                TimeUnit.MILLISECONDS.toNanos(TimeUnit.NANOSECONDS.toMillis(dueAt - now) + 1);
        Executor later = CompletableFuture.delayedExecutor(nextTick, TimeUnit.NANOSECONDS);
        return CompletableFuture.runAsync(() -> {}, later);
    }
}
