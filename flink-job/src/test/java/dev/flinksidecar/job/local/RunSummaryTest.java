package dev.flinksidecar.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.job.source.InputSplitter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.util.OptionalFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSummaryTest {

    private static final JobExecutionResult RESULT =
            new JobExecutionResult(
                    new JobID(), 1, Map.of(InputSplitter.EVENTS_IN, OptionalFailure.of(12L)));

    @TempDir Path output;

    @Test
    void countsTheSidecarRestartsOfARunThatStartedTheSidecar() throws IOException {
        assertThat(summary(OptionalInt.of(0)))
                .contains("events in:    12")
                .contains("sidecar restarts: 0\n");
        assertThat(summary(OptionalInt.of(2)))
                .contains("sidecar restarts: 2 (the warnings above say why)");
    }

    @Test
    void saysNothingOfRestartsWhenTheSidecarWasNotItsOwn() throws IOException {
        assertThat(summary(OptionalInt.empty()))
                .contains("events in:    12")
                .doesNotContain("sidecar restarts");
    }

    private String summary(OptionalInt restarts) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            RunSummary.print(RESULT, output, restarts, out);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
