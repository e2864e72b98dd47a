package dev.flinksidecar.job.local;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.job.kafka.KafkaOutput;
import dev.flinksidecar.job.sink.JsonLinesSinks;
import dev.flinksidecar.job.source.InputSplitter;
import dev.flinksidecar.operator.SidecarStreams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;

/**
 * What the local run prints at the end: events in, results out, dead letters, late events, results
 * per rule, how often the sidecar child was restarted, and where the files are. Counts of results
 * and dead letters come from the committed output files, so they are what a reader of the output
 * sees.
 */
final class RunSummary {

    private static final int SAMPLE_LINES = 3;

    private RunSummary() {}

    /**
     * Prints the summary.
     *
     * @param sidecarRestarts how often the sidecar child was started again; empty when the run used
     *     a sidecar it did not start ({@code --socket})
     */
    static void print(
            JobExecutionResult result, Path output, OptionalInt sidecarRestarts, PrintStream out)
            throws IOException {
        List<String> results = committedLines(output.resolve(JsonLinesSinks.RESULTS));
        List<String> deadLetters = committedLines(output.resolve(JsonLinesSinks.DEAD_LETTERS));
        List<String> late = committedLines(output.resolve(JsonLinesSinks.LATE));
        Map<String, Integer> perRule = new TreeMap<>();
        for (String line : results) {
            perRule.merge(ruleOf(line), 1, Integer::sum);
        }
        out.printf(
                "events in:    %d (and %d malformed lines)%n",
                counter(result, InputSplitter.EVENTS_IN),
                counter(result, InputSplitter.MALFORMED_IN));
        out.printf("results out:  %d%n", results.size());
        perRule.forEach((rule, n) -> out.printf("  %-24s %d%n", rule, n));
        out.printf("dead letters: %d%n", deadLetters.size());
        out.printf("late events:  %d%n", late.size());
        latency(result, out);
        sidecarRestarts.ifPresent(
                n ->
                        out.printf(
                                "sidecar restarts: %d%s%n",
                                n, n == 0 ? "" : " (the warnings above say why)"));
        if (!results.isEmpty()) {
            out.println("first results:");
            results.stream().limit(SAMPLE_LINES).forEach(line -> out.println("  " + line));
        }
        out.println(
                "results file(s):      "
                        + output.resolve(JsonLinesSinks.RESULTS).toAbsolutePath()
                        + "/");
        out.println(
                "dead letter file(s):  "
                        + output.resolve(JsonLinesSinks.DEAD_LETTERS).toAbsolutePath()
                        + "/");
        out.println(
                "late events:          "
                        + output.resolve(JsonLinesSinks.LATE).toAbsolutePath()
                        + "/");
    }

    /**
     * Prints the summary of a run whose output went to Kafka topics: what went in, and where to
     * read what came out (the topics are not read back).
     */
    static void printKafka(
            JobExecutionResult result,
            KafkaOutput output,
            OptionalInt sidecarRestarts,
            PrintStream out) {
        out.printf(
                "events in:    %d (and %d malformed records)%n",
                counter(result, InputSplitter.EVENTS_IN),
                counter(result, InputSplitter.MALFORMED_IN));
        latency(result, out);
        sidecarRestarts.ifPresent(
                n ->
                        out.printf(
                                "sidecar restarts: %d%s%n",
                                n, n == 0 ? "" : " (the warnings above say why)"));
        out.println("results topic:        " + output.topic() + " on " + output.bootstrapServers());
        out.println("dead letters topic:   " + output.deadLettersTopic());
        out.println("late events topic:    " + output.lateTopic());
    }

    /**
     * The lines of the committed (visible, non-hidden) part files of a sink folder, by file name.
     */
    static List<String> committedLines(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file :
                    (Iterable<Path>)
                            files.filter(Files::isRegularFile)
                                            .filter(
                                                    f ->
                                                            !f.getFileName()
                                                                    .toString()
                                                                    .startsWith("."))
                                            .sorted()
                                    ::iterator) {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    private static String ruleOf(String line) {
        try {
            Object rule = ((Map<?, ?>) Json.parse(line)).get("rule");
            return String.valueOf(rule);
        } catch (JsonException | ClassCastException e) {
            return "(unreadable)";
        }
    }

    /**
     * p50 and p99 of the sampled time from an event entering the sidecar operator to its results
     * leaving it.
     */
    private static void latency(JobExecutionResult result, PrintStream out) {
        Object value = result.getAllAccumulatorResults().get(SidecarStreams.LATENCY_ACCUMULATOR);
        if (!(value instanceof Map) || ((Map<?, ?>) value).isEmpty()) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<Integer, Integer> micros = (Map<Integer, Integer>) value;
        long total = micros.values().stream().mapToLong(Integer::longValue).sum();
        out.printf(
                "operator latency (event in to results out, %d samples): p50 %d µs, p99 %d µs%n",
                total, percentile(micros, total, 0.50), percentile(micros, total, 0.99));
    }

    private static int percentile(Map<Integer, Integer> histogram, long total, double p) {
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (Map.Entry<Integer, Integer> e : new TreeMap<>(histogram).entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return e.getKey();
            }
        }
        return 0;
    }

    private static long counter(JobExecutionResult result, String name) {
        Object value = result.getAllAccumulatorResults().get(name);
        return value instanceof Number ? ((Number) value).longValue() : 0;
    }
}
