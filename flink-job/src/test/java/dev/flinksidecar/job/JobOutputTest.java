package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobOutputTest {

    @TempDir Path dir;

    @Test
    void aSubtasksWritersComeInTheOrderTheyBeganNotByTheirIds() throws Exception {
        // one subtask: its first bucket wrote parts 0..1, sat idle through a checkpoint and was
        // dropped, and the next line opened a bucket whose random id sorts before the first one
        String first = "part-f1e7a9c0-0000-4000-8000-000000000000";
        String second = "part-0b3d5e21-0000-4000-8000-000000000000";
        write(first + "-0.jsonl", "a\nb\n", 1_000);
        write(first + "-1.jsonl", "c\n", 2_000);
        write(second + "-0.jsonl", "d\n", 5_000);
        write(second + "-1.jsonl", "e\n", 6_000);
        write(".hidden-in-progress", "x\n", 7_000);

        assertThat(JobOutput.committedLines(dir)).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void aWritersPartsComeByCounterNotByName() throws Exception {
        String writer = "part-5c1d0e2f-0000-4000-8000-000000000000";
        for (int counter = 0; counter <= 10; counter++) {
            write(writer + "-" + counter + ".jsonl", counter + "\n", 1_000);
        }

        assertThat(JobOutput.committedLines(dir))
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    }

    @Test
    void aMissingFolderHasNoLines() throws Exception {
        assertThat(JobOutput.committedLines(dir.resolve("absent"))).isEmpty();
    }

    private void write(String name, String content, long millis) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochMilli(millis)));
    }
}
