package dev.flinksidecar.job;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reading what a job (or {@code replay}) wrote, for comparisons in tests. */
public final class JobOutput {

    private static final Pattern BUILD_HASH =
            Pattern.compile("\"version\":\"([^\"+]*)\\+[0-9a-f]+\"");

    private JobOutput() {}

    /**
     * Lines of the committed part files of a sink folder ({@code part-<writer>-<counter>.jsonl}),
     * so that each subtask's lines come in the order it wrote them. Empty when the folder does not
     * exist.
     *
     * <p>A writer id is not a subtask: Flink's {@code FileSink} drops a bucket that received
     * nothing between two checkpoints, and the next line opens a new one under a new random id (so
     * does a restart). A subtask's files are therefore ordered by writer, the writers by when their
     * first file was written, and each writer's files by counter.
     */
    public static List<String> committedLines(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new ArrayList<>();
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(f -> !f.getFileName().toString().startsWith("."))
                            .collect(Collectors.toList());
        }
        Map<String, FileTime> writerStart = new HashMap<>();
        for (Path file : files) {
            writerStart.merge(
                    writerOf(file),
                    Files.getLastModifiedTime(file),
                    (a, b) -> a.compareTo(b) <= 0 ? a : b);
        }
        files.sort(
                Comparator.comparing((Path f) -> writerStart.get(writerOf(f)))
                        .thenComparing(JobOutput::writerOf)
                        .thenComparingLong(JobOutput::counterOf));
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        return lines;
    }

    /**
     * The line with its rule version's content-hash suffix removed ({@code "1.0.0+c4c6863"} becomes
     * {@code "1.0.0"}), so that results of a sidecar that adds it compare with expected files that
     * predate it, and with Flink's native windows, which know no jar.
     */
    public static String withoutBuildHash(String line) {
        return BUILD_HASH.matcher(line).replaceAll("\"version\":\"$1\"");
    }

    /** {@link #withoutBuildHash} of every line. */
    public static List<String> withoutBuildHash(List<String> lines) {
        return lines.stream().map(JobOutput::withoutBuildHash).collect(Collectors.toList());
    }

    /** The lines of one rule. */
    public static List<String> ofRule(List<String> lines, String rule) {
        return lines.stream()
                .filter(l -> rule.equals(field(l, "rule")))
                .collect(Collectors.toList());
    }

    /**
     * Lines grouped by key, in their order: result lines by their {@code key}, late-event lines by
     * their event's.
     */
    public static Map<String, List<String>> perKey(List<String> lines) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (String line : lines) {
            byKey.computeIfAbsent(keyOf(line), k -> new ArrayList<>()).add(line);
        }
        return byKey;
    }

    /** The key of a result line, or of the event of a late-event line. */
    public static String keyOf(String line) {
        Map<?, ?> json = parse(line);
        Object event = json.get("event");
        return String.valueOf(
                event instanceof Map ? ((Map<?, ?>) event).get("key") : json.get("key"));
    }

    /** One top-level field of a JSON line, as a string ("null" when absent). */
    public static String field(String line, String name) {
        return String.valueOf(parse(line).get(name));
    }

    /** The lines of a file, empty when it does not exist. */
    public static List<String> fileLines(Path file) {
        try {
            return Files.exists(file)
                    ? Files.readAllLines(file, StandardCharsets.UTF_8)
                    : new ArrayList<>();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<?, ?> parse(String line) {
        try {
            return (Map<?, ?>) Json.parse(line);
        } catch (JsonException e) {
            throw new IllegalArgumentException("not a JSON object: " + line, e);
        }
    }

    private static String writerOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('-'));
    }

    private static long counterOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(
                name.substring(
                        name.lastIndexOf('-') + 1, name.indexOf('.', name.lastIndexOf('-'))));
    }
}
