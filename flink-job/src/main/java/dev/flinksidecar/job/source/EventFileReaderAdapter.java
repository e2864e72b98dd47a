package dev.flinksidecar.job.source;

import dev.flinksidecar.events.DeadLetters;
import dev.flinksidecar.events.EventFileReader;
import java.io.IOException;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;

/**
 * One file's {@link BulkFormat.Reader}: batches of up to {@value #BATCH} records from an {@link
 * EventFileReader}, positioned by record count (see {@link EventFileFormat}). Runs on the
 * split-fetcher thread.
 */
final class EventFileReaderAdapter implements BulkFormat.Reader<InputRecord> {

    static final int BATCH = 256;

    private final EventFileReader reader;
    private long recordsRead;

    EventFileReaderAdapter(EventFileReader reader) {
        this.reader = reader;
    }

    void skip(long records) throws IOException {
        while (recordsRead < records && reader.next() != null) {
            recordsRead++;
        }
    }

    @Override
    public BulkFormat.RecordIterator<InputRecord> readBatch() throws IOException {
        InputRecord[] records = new InputRecord[BATCH];
        int n = 0;
        EventFileReader.Entry entry;
        while (n < BATCH && (entry = reader.next()) != null) {
            records[n++] =
                    entry.event() != null
                            ? InputRecord.event(entry.event())
                            : InputRecord.deadLetter(
                                    DeadLetters.malformed(
                                            entry.file(),
                                            entry.line(),
                                            entry.error(),
                                            entry.raw()));
        }
        if (n == 0) {
            return null;
        }
        ArrayResultIterator<InputRecord> iterator = new ArrayResultIterator<>();
        iterator.set(records, n, CheckpointedPosition.NO_OFFSET, recordsRead);
        recordsRead += n;
        return iterator;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
