package dev.flinksidecar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A short run of {@link SwapBenchmark} against the built sidecar jar, so that the benchmark of
 * BENCHMARKS.md cannot rot: it fails on any wrong answer, a refused deploy or a version that never
 * answers. Times are printed, never asserted.
 */
class SwapBenchmarkITCase {

    @Test
    void swapsUnderLoadAndReports() throws Exception {
        Path root = root();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            SwapBenchmark.main(
                    new String[] {
                        "--sidecar-jar",
                        root.resolve("sidecar/target/sidecar.jar").toString(),
                        "--rule-jar",
                        root.resolve("examples/target/rules/threshold.jar").toString(),
                        "--warmup-s",
                        "1",
                        "--calibrate-s",
                        "1",
                        "--swaps",
                        "2",
                        "--warmup-swaps",
                        "1",
                        "--interval-ms",
                        "300",
                        "--batch",
                        "64"
                    });
        } finally {
            System.setOut(out);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        out.print(report);
        assertThat(report)
                .contains(
                        "2 swaps measured (after 1 warm-up swaps)",
                        "(a) deploy call returns",
                        "(b) deploy start to first new-version answer",
                        "during a swap",
                        "steady (overlapping no swap)",
                        "versions never went backwards");
    }

    private static Path root() {
        String configured = System.getProperty("project.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "testdata"))) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of("..").toAbsolutePath().normalize();
    }
}
