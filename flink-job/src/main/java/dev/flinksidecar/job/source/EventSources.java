package dev.flinksidecar.job.source;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.types.RecordTypes;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The event-file input of the job: a {@code FileSource} over a file or a folder, event-time
 * watermarks ({@link EventTimeWatermarks}), and the split into events and dead letters.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<EventRecord> events =
 *         EventSources.read(env, "testdata/payments.jsonl", Duration.ZERO, false, Duration.ofSeconds(30));
 * DataStream<String> malformed = events.getSideOutput(InputSplitter.MALFORMED);
 * }</pre>
 */
public final class EventSources {

    public static final String SOURCE_NAME = "event-files";

    private EventSources() {}

    /**
     * Reads {@code input} (a file or folder; local paths are expanded here as {@code replay} does:
     * the regular, non-hidden files sorted by name) once, as a bounded stream.
     *
     * @param deterministic watermarks after every event in file order; the source then runs at
     *     parallelism 1 whatever the job's parallelism
     * @param idleTimeout see {@link EventTimeWatermarks#strategy(Duration, boolean, Duration)};
     *     zero: never idle
     * @throws IOException when a local input does not exist or cannot be listed
     */
    public static SingleOutputStreamOperator<EventRecord> read(
            StreamExecutionEnvironment env,
            String input,
            Duration outOfOrderness,
            boolean deterministic,
            Duration idleTimeout)
            throws IOException {
        return read(env, input, outOfOrderness, deterministic, idleTimeout, null);
    }

    /**
     * As {@link #read(StreamExecutionEnvironment, String, Duration, boolean, Duration)}, but with a
     * {@code monitorInterval} the folder is watched for new files at that interval and the stream
     * never ends (null: read once).
     */
    public static SingleOutputStreamOperator<EventRecord> read(
            StreamExecutionEnvironment env,
            String input,
            Duration outOfOrderness,
            boolean deterministic,
            Duration idleTimeout,
            Duration monitorInterval)
            throws IOException {
        return read(
                env,
                input,
                outOfOrderness,
                deterministic,
                idleTimeout,
                monitorInterval,
                EventFileReader.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * As {@link #read(StreamExecutionEnvironment, String, Duration, boolean, Duration, Duration)},
     * with JSON lines up to {@code maxLineBytes} long read as events; a longer one is a dead letter
     * with its first KiB (the job's {@code --max-line-bytes}).
     */
    public static SingleOutputStreamOperator<EventRecord> read(
            StreamExecutionEnvironment env,
            String input,
            Duration outOfOrderness,
            boolean deterministic,
            Duration idleTimeout,
            Duration monitorInterval,
            int maxLineBytes)
            throws IOException {
        FileSource.FileSourceBuilder<InputRecord> builder =
                FileSource.forBulkFileFormat(
                                new EventFileFormat(maxLineBytes),
                                monitorInterval == null ? paths(input) : new Path[] {folder(input)})
                        .setSplitAssigner(OrderedSplitAssigner::new);
        if (monitorInterval != null) {
            builder.monitorContinuously(monitorInterval);
        }
        DataStreamSource<InputRecord> records =
                env.fromSource(
                        builder.build(),
                        EventTimeWatermarks.strategy(outOfOrderness, deterministic, idleTimeout),
                        SOURCE_NAME,
                        InputRecord.TYPE);
        records.uid(SOURCE_NAME);
        SingleOutputStreamOperator<EventRecord> events =
                records.process(new InputSplitter(), RecordTypes.EVENT).name("parse").uid("parse");
        if (deterministic) {
            records.setParallelism(1);
            events.setParallelism(1);
        }
        return events;
    }

    private static Path folder(String input) {
        return input.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")
                ? new Path(input)
                : Path.fromLocalFile(java.nio.file.Path.of(input).toAbsolutePath().toFile());
    }

    private static Path[] paths(String input) throws IOException {
        java.nio.file.Path local;
        if (input.startsWith("file:")) {
            local = java.nio.file.Path.of(URI.create(input));
        } else if (input.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            return new Path[] {new Path(input)}; // another file system: Flink lists it
        } else {
            local = java.nio.file.Path.of(input);
        }
        List<java.nio.file.Path> files = EventFileReader.inputFiles(local.toAbsolutePath());
        if (files.isEmpty()) {
            throw new IOException("no event files in " + input);
        }
        return files.stream().map(f -> Path.fromLocalFile(f.toFile())).toArray(Path[]::new);
    }
}
