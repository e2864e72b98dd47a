package dev.flinksidecar.kafka.tools;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What became of a producer's records, so that none is lost silently: give it as the callback of
 * every {@code send} to one topic, then, after {@code flush()}, {@link #check()} throws when the
 * broker did not take some of them (a send that failed or expired only says so in its callback).
 *
 * <p>Threads: {@link #onCompletion} runs on the producer's I/O thread; the rest on any thread.
 */
public final class Deliveries implements Callback {

    private final String topic;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    public Deliveries(String topic) {
        this.topic = topic;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception == null) {
            written.incrementAndGet();
        } else {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, exception);
        }
    }

    /** The records the broker has acknowledged so far. */
    public long written() {
        return written.get();
    }

    /**
     * Throws when a record was not written; call it after {@code flush()}, which waits for every
     * record's outcome.
     *
     * @throws IllegalStateException naming how many records were not written and the first reason
     */
    public void check() {
        Exception first = firstFailure.get();
        if (first != null) {
            String message =
                    String.format(
                            Locale.ROOT,
                            "%d records were not written to %s (%d were): %s",
                            failed.get(),
                            topic,
                            written.get(),
                            first);
            throw new IllegalStateException(message, first);
        }
    }
}
