package dev.flinksidecar.job.source;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.EventFormat;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.Path;

/**
 * Reads event files (JSON Lines, or length-delimited protobuf by file extension, see {@link
 * EventFormat#of}) for Flink's {@code FileSource}. A bulk format rather than a stream format
 * because its reader is given the split, and so the file name that dead letters carry.
 *
 * <p>Files are not split: line numbers count from the start of the file. The checkpointed position
 * is the number of records read, so a restored reader skips that many records. Readers run on the
 * source's split-fetcher thread. A JSON line longer than the format's limit (the job's {@code
 * --max-line-bytes}) is a dead letter with its first KiB.
 */
public final class EventFileFormat implements BulkFormat<InputRecord, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;

    /** A format that reads JSON lines up to {@link EventFileReader#DEFAULT_MAX_LINE_BYTES}. */
    public EventFileFormat() {
        this(EventFileReader.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * @param maxLineBytes the longest JSON line read as an event (see {@link
     *     EventFileReader#checkMaxLineBytes})
     */
    public EventFileFormat(int maxLineBytes) {
        EventFileReader.checkMaxLineBytes(maxLineBytes);
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Reader<InputRecord> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<InputRecord> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return open(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return InputRecord.TYPE;
    }

    private EventFileReaderAdapter open(FileSourceSplit split, long skip) throws IOException {
        Path path = split.path();
        String name = path.getName();
        EventFileReader reader =
                EventFileReader.open(
                        name, path.getFileSystem().open(path), EventFormat.of(name), maxLineBytes);
        EventFileReaderAdapter adapter = new EventFileReaderAdapter(reader);
        adapter.skip(skip);
        return adapter;
    }
}
