package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.EventFormat;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.EventBatch;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One {@code replay} run: events from a file (or the files of a folder, by name), batched as the
 * Flink operator batches them, handed to a {@link ReplayTarget} (the rule engine that {@code serve}
 * runs per session and the result files; or two engines and a diff), with deterministic watermarks:
 * after each event (whether or not a rule's filter keeps it; the event is processed first), the
 * largest event time so far minus the out-of-orderness minus 1 ms, sent in band as an interim
 * watermark of the batch; after the last event, {@code Long.MAX_VALUE}, which fires every open
 * window.
 *
 * <pre>
 *   events:      e1(t=5000)  e2(t=9000)  e3(t=4000)        end of input
 *   watermarks:       3999        7999        (7999: no change)   Long.MAX_VALUE
 *   (out-of-orderness 1s)
 * </pre>
 *
 * <p>The target sees the batches and the malformed lines in input order, a malformed line after the
 * batch of the events before it; what it writes does not depend on the batch size. Runs on the
 * calling thread.
 */
final class Replay {

    /** Entries read between two progress updates: the clock is read only then. */
    static final int PROGRESS_EVERY = 256;

    private final ReplayTarget target;
    private final int batchSize;
    private final long outOfOrdernessMs;
    private final int maxLineBytes; // the longest JSON line read as an event
    private final ReplayProgress progress;
    private final ReplaySummary summary;
    private final EventBatchWriter batch = new EventBatchWriter();
    private long sequence = 1;
    private long maxTime = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;

    /**
     * @param summary where the run counts the files, events and malformed lines read, and its time
     */
    Replay(
            ReplayTarget target,
            int batchSize,
            Duration outOfOrderness,
            int maxLineBytes,
            ReplayProgress progress,
            ReplaySummary summary) {
        this.target = target;
        this.maxLineBytes = maxLineBytes;
        this.batchSize = Math.max(1, batchSize);
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.progress = progress;
        this.summary = summary;
    }

    /** Replays every input file, then flushes the final watermark. */
    ReplaySummary run(Path input) throws IOException {
        long start = System.nanoTime();
        List<Path> files = EventFileReader.inputFiles(input);
        long totalBytes = 0;
        for (Path file : files) {
            totalBytes += Files.size(file);
        }
        progress.start(totalBytes);
        long bytesBefore = 0; // of the files read completely
        long entries = 0;
        for (Path file : files) {
            summary.files++;
            String name = file.getFileName().toString();
            try (CountingInputStream in = new CountingInputStream(Files.newInputStream(file));
                    EventFileReader reader =
                            EventFileReader.open(name, in, EventFormat.of(name), maxLineBytes)) {
                for (EventFileReader.Entry entry = reader.next();
                        entry != null;
                        entry = reader.next()) {
                    accept(entry);
                    if (++entries % PROGRESS_EVERY == 0) {
                        progress.update(summary.events, bytesBefore + in.count());
                    }
                }
                bytesBefore += in.count();
            }
        }
        flush(true);
        progress.finish(summary.events, bytesBefore);
        summary.nanos = System.nanoTime() - start;
        return summary;
    }

    private void accept(EventFileReader.Entry entry) throws IOException {
        EventRecord event = entry.event();
        if (event == null) {
            flush(false); // earlier events' dead letters first: the dead-letter file keeps input
            // order
            target.malformed(entry.deadLetter());
            summary.malformed++;
            return;
        }
        summary.events++;
        maxTime = Math.max(maxTime, event.time());
        batch.add(event);
        long next = maxTime - outOfOrdernessMs - 1;
        if (next > watermark) {
            watermark = next;
            batch.watermarkAfterEvents(watermark);
        }
        if (batch.size() >= batchSize) {
            flush(false);
        }
    }

    private void flush(boolean endOfInput) throws IOException {
        if (batch.size() == 0 && !endOfInput) {
            return;
        }
        EventBatch events = batch.build(sequence++, endOfInput, Long.MAX_VALUE);
        batch.clear();
        target.batch(events);
    }

    /** Counts the bytes read from a file, for the progress's share of the input read. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
