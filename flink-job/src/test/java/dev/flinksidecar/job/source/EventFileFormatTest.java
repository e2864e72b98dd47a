package dev.flinksidecar.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file format knows file names and line numbers, and resumes after the records it read. */
class EventFileFormatTest {

    @TempDir Path tmp;

    private static final String FILE =
            String.join(
                            "\n",
                            "{\"key\":\"a\",\"time\":1,\"amount\":5}",
                            "",
                            "{\"time\":2}",
                            "{\"key\":\"b\",\"time\":\"2026-01-01T00:00:00Z\",\"ok\":true}",
                            "not json")
                    + "\n";

    @Test
    void readsEventsAndDeadLettersWithFileAndLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("payments.jsonl"), FILE);
        List<RecordAndPosition<InputRecord>> records = readAll(split(file, null));

        assertThat(records).hasSize(4);
        assertThat(records.get(0).getRecord().event().key()).isEqualTo("a");
        assertThat(records.get(1).getRecord().deadLetter())
                .startsWith("{\"file\":\"payments.jsonl\",\"line\":3,\"reason\":")
                .endsWith(",\"raw\":\"{\\\"time\\\":2}\"}");
        assertThat(records.get(2).getRecord().event().time()).isEqualTo(1767225600000L);
        assertThat(records.get(3).getRecord().deadLetter())
                .contains("\"line\":5")
                .contains("\"raw\":\"not json\"");
        assertThat(records)
                .extracting(RecordAndPosition::getRecordSkipCount)
                .containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void restoredReaderSkipsTheRecordsAlreadyRead() throws IOException {
        Path file = Files.writeString(tmp.resolve("payments.jsonl"), FILE);
        List<RecordAndPosition<InputRecord>> rest =
                readAll(split(file, new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 2)));
        assertThat(rest).hasSize(2);
        assertThat(rest.get(0).getRecord().event().key()).isEqualTo("b");
        assertThat(rest.get(1).getRecordSkipCount()).isEqualTo(4L);
    }

    @Test
    void aLineOverTheFormatsLimitIsADeadLetterAndTheNextLineIsRead() throws IOException {
        String longLine = "{\"key\":\"long\",\"time\":1,\"pad\":\"" + "x".repeat(200) + "\"}";
        Path file =
                Files.writeString(
                        tmp.resolve("long.jsonl"), longLine + "\n{\"key\":\"after\",\"time\":2}\n");
        List<RecordAndPosition<InputRecord>> records =
                readAll(split(file, null), new EventFileFormat(100));
        assertThat(records).hasSize(2);
        assertThat(records.get(0).getRecord().deadLetter())
                .startsWith(
                        "{\"file\":\"long.jsonl\",\"line\":1,\"reason\":\"the line is longer than 100 bytes");
        assertThat(records.get(1).getRecord().event().key()).isEqualTo("after");
        assertThat(readAll(split(file, null)))
                .extracting(r -> r.getRecord().event().key())
                .containsExactly("long", "after");
    }

    private static FileSourceSplit split(Path file, CheckpointedPosition position)
            throws IOException {
        return new FileSourceSplit(
                "0",
                org.apache.flink.core.fs.Path.fromLocalFile(file.toFile()),
                0,
                Files.size(file),
                0,
                Files.size(file),
                new String[0],
                position);
    }

    private static List<RecordAndPosition<InputRecord>> readAll(FileSourceSplit split)
            throws IOException {
        return readAll(split, new EventFileFormat());
    }

    private static List<RecordAndPosition<InputRecord>> readAll(
            FileSourceSplit split, EventFileFormat format) throws IOException {
        List<RecordAndPosition<InputRecord>> out = new ArrayList<>();
        try (BulkFormat.Reader<InputRecord> reader =
                split.getReaderPosition().isPresent()
                        ? format.restoreReader(new Configuration(), split)
                        : format.createReader(new Configuration(), split)) {
            BulkFormat.RecordIterator<InputRecord> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<InputRecord> r;
                while ((r = batch.next()) != null) {
                    out.add(
                            new RecordAndPosition<>(
                                    r.getRecord(), r.getOffset(), r.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        }
        return out;
    }
}
