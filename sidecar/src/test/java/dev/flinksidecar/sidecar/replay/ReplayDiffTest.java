package dev.flinksidecar.sidecar.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.Main;
import dev.flinksidecar.sidecar.TestingPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay --candidate} end to end in process, with the example rules built from their sources
 * over {@code testdata/payments.jsonl}: the differences are exactly what the two rule versions make
 * differently, computed here from the input or from separate replays.
 */
class ReplayDiffTest {

    private static final String THRESHOLD =
            "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": %s}";
    private static final String WINDOWED =
            "{\"id\": \"windowed-aggregate\", \"window\": {\"type\": \"tumbling\", \"size\": \"%s\"},"
                    + " \"allowed_lateness\": \"0s\", \"aggregate\": \"sum\", \"field\": \"amount\","
                    + " \"event_type\": \"payment\"}";

    @TempDir Path dir;

    private Path payments;
    private Path current;
    private Path candidate;
    private Path diff;
    private StringWriter err;

    @BeforeEach
    void setUp() {
        payments = TestingPaths.projectRoot().resolve("testdata/payments.jsonl");
        current = dir.resolve("current");
        candidate = dir.resolve("candidate");
        diff = dir.resolve("out/diff.jsonl");
        err = new StringWriter();
    }

    @Test
    void aLowerThresholdAddsExactlyThePaymentsBetweenTheTwoLimits() throws Exception {
        ExampleRuleJars.write(current, "threshold", "threshold", String.format(THRESHOLD, 1000));
        ExampleRuleJars.write(candidate, "threshold", "threshold", String.format(THRESHOLD, 900));

        assertThat(diff(payments)).isEqualTo(ReplayCommand.DIFFERENCES);

        List<String> expected = new ArrayList<>();
        long above1000 = 0;
        for (Map<String, Object> event : paymentsAsRead()) {
            Object amount = event.get("amount");
            if (amount instanceof Number) {
                double value = ((Number) amount).doubleValue();
                if (value > 900 && value <= 1000) {
                    expected.add(event.get("key") + "@" + event.get("time") + "=" + amount);
                }
                if (value > 1000) {
                    above1000++;
                }
            }
        }
        assertThat(expected).isNotEmpty();
        List<Map<String, Object>> lines = diffLines();
        assertThat(lines).allSatisfy(line -> assertThat(line.get("change")).isEqualTo("added"));
        assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContainKey("current"));
        assertThat(
                        lines.stream()
                                .map(
                                        line -> {
                                            @SuppressWarnings("unchecked")
                                            Map<String, Object> result =
                                                    (Map<String, Object>) line.get("candidate");
                                            assertThat(result.get("key"))
                                                    .isEqualTo(line.get("key"));
                                            assertThat(result.get("time"))
                                                    .isEqualTo(line.get("time"));
                                            return line.get("key")
                                                    + "@"
                                                    + line.get("time")
                                                    + "="
                                                    + result.get("value");
                                        })
                                .collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(err.toString())
                .contains(
                        "diff threshold: "
                                + above1000
                                + " agree, "
                                + expected.size()
                                + " added, 0 removed, 0 changed")
                .contains("diff: " + expected.size() + " differences in 1 of 1 rule, written to");
    }

    @Test
    void identicalRuleSetsGiveNoLinesAndExitZero() throws IOException {
        for (Path rules : List.of(current, candidate)) {
            ExampleRuleJars.write(rules, "threshold", "threshold", String.format(THRESHOLD, 1000));
            ExampleRuleJars.write(
                    rules,
                    "windowed-aggregate",
                    "windowed-aggregate",
                    String.format(WINDOWED, "5m"));
        }

        assertThat(diff(payments, "--out-of-orderness", "3s")).isZero();

        assertThat(diff).exists().isEmptyFile();
        assertThat(err.toString())
                .contains("diff threshold: 276 agree, 0 added, 0 removed, 0 changed")
                .contains("diff windowed-aggregate: 1941 agree, 0 added, 0 removed, 0 changed")
                .contains("diff: no differences in 2 rules");
    }

    @Test
    void anotherWindowSizeRemovesEveryWindowOfTheCurrentAndAddsEveryWindowOfTheCandidate()
            throws Exception {
        ExampleRuleJars.write(
                current, "windowed-aggregate", "windowed-aggregate", String.format(WINDOWED, "5m"));
        ExampleRuleJars.write(
                candidate,
                "windowed-aggregate",
                "windowed-aggregate",
                String.format(WINDOWED, "7m"));

        assertThat(diff(payments, "--out-of-orderness", "3s")).isEqualTo(ReplayCommand.DIFFERENCES);

        List<String> currentResults = replay(current, "current.jsonl");
        List<String> candidateResults = replay(candidate, "candidate.jsonl");
        List<Map<String, Object>> lines = diffLines();
        assertThat(lines)
                .allSatisfy(line -> assertThat(line.get("change")).isIn("added", "removed"));
        assertThat(innerLines("removed", "current")).containsExactlyElementsOf(currentResults);
        assertThat(innerLines("added", "candidate")).containsExactlyElementsOf(candidateResults);
        assertThat(err.toString())
                .contains(
                        "diff windowed-aggregate: 0 agree, "
                                + candidateResults.size()
                                + " added, "
                                + currentResults.size()
                                + " removed, 0 changed");
    }

    @Test
    void theDiffDoesNotDependOnTheBatchSize() throws IOException {
        ExampleRuleJars.write(current, "threshold", "threshold", String.format(THRESHOLD, 1000));
        ExampleRuleJars.write(
                current, "windowed-aggregate", "windowed-aggregate", String.format(WINDOWED, "5m"));
        ExampleRuleJars.write(candidate, "threshold", "threshold", String.format(THRESHOLD, 500));
        ExampleRuleJars.write(
                candidate,
                "windowed-aggregate",
                "windowed-aggregate",
                String.format(WINDOWED, "5m").replace("\"sum\"", "\"max\""));

        List<List<String>> diffs = new ArrayList<>();
        for (String size : List.of("1", "7", "1024")) {
            assertThat(diff(payments, "--conf", "sidecar.replay.batch-size=" + size))
                    .isEqualTo(ReplayCommand.DIFFERENCES);
            diffs.add(Files.readAllLines(diff));
        }
        assertThat(diffs.get(0)).isNotEmpty();
        assertThat(diffs).allSatisfy(lines -> assertThat(lines).isEqualTo(diffs.get(0)));
        assertThat(diffs.get(0))
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "{\"change\":\"changed\",\"rule\":\"windowed-aggregate\",\"key\":"))
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "{\"change\":\"added\",\"rule\":\"threshold\",\"key\":"));
    }

    @Test
    void aNumberWithinTheToleranceAgreesAndOneOutsideItChanged() throws IOException {
        scaled(current, "1.0");
        scaled(candidate, "1.000001"); // 1e-6 relative
        Path input =
                Files.writeString(
                        dir.resolve("in.jsonl"),
                        "{\"key\":\"a\",\"time\":1000,\"amount\":1234.5}\n"
                                + "{\"key\":\"b\",\"time\":2000,\"amount\":0}\n");

        assertThat(diff(input)).isEqualTo(ReplayCommand.DIFFERENCES);
        assertThat(Files.readAllLines(diff))
                .singleElement()
                .satisfies(
                        line ->
                                assertThat(line.replaceAll("\\+[0-9a-f]{7}\"", "\""))
                                        .isEqualTo(
                                                "{\"change\":\"changed\",\"rule\":\"scaled\",\"key\":\"a\",\"time\":1000,"
                                                        + "\"current\":{\"rule\":\"scaled\",\"version\":\"1.0.0\",\"key\":\"a\",\"time\":1000,\"value\":1234.5},"
                                                        + "\"candidate\":{\"rule\":\"scaled\",\"version\":\"1.0.0\",\"key\":\"a\",\"time\":1000,\"value\":"
                                                        + 1234.5 * 1.000001
                                                        + "}}"));

        assertThat(diff(input, "--tolerance", "1e-5")).isZero();
        assertThat(diff).isEmptyFile();
        assertThat(err.toString()).contains("diff scaled: 2 agree, 0 added, 0 removed, 0 changed");
    }

    private void scaled(Path rules, String factor) throws IOException {
        Files.createDirectories(rules);
        Files.writeString(rules.resolve("scaled.json"), "{\"factor\": " + factor + "}");
        RuleJarBuilder.jar("scaled")
                .version("1.0.0")
                .source(
                        "package testrules;\n"
                                + "import dev.flinksidecar.rule.*;\n"
                                + "public final class Scaled implements Rule {\n"
                                + "  private double factor;\n"
                                + "  public void open(RuleContext context) { factor = context.config().requireDouble(\"factor\"); }\n"
                                + "  public void onEvent(Event event, ResultCollector out) {\n"
                                + "    out.emit(Result.of(event).set(\"value\", event.getNumber(\"amount\", 0) * factor));\n"
                                + "  }\n"
                                + "}\n")
                .rules("testrules.Scaled")
                .writeTo(rules);
    }

    /** The lines of {@code change} in the diff, their {@code side} object as a result line. */
    private List<String> innerLines(String change, String side) throws IOException {
        List<String> inner = new ArrayList<>();
        for (String line : Files.readAllLines(diff)) {
            if (line.startsWith("{\"change\":\"" + change + "\"")) {
                String marker = ",\"" + side + "\":";
                inner.add(
                        line.substring(line.indexOf(marker) + marker.length(), line.length() - 1));
            }
        }
        return inner;
    }

    private List<Map<String, Object>> diffLines() throws IOException, JsonException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(diff)) {
            lines.add(Json.parseObject(line));
        }
        return lines;
    }

    /**
     * The events of payments.jsonl read here on their own: JSON objects with a string key, a time
     * in epoch ms or ISO-8601 (made epoch ms here) and no null field (the file's malformed lines
     * are none of these).
     */
    private List<Map<String, Object>> paymentsAsRead() throws IOException {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : Files.readAllLines(payments)) {
            Map<String, Object> event;
            try {
                event = Json.parseObject(line);
            } catch (JsonException e) {
                continue;
            }
            Object time = event.get("time");
            if (time instanceof String) {
                try {
                    event.put("time", Instant.parse((String) time).toEpochMilli());
                } catch (DateTimeParseException e) {
                    continue;
                }
            }
            if (event.get("key") instanceof String
                    && event.get("time") instanceof Long
                    && !event.containsValue(null)) {
                events.add(event);
            }
        }
        return events;
    }

    private int diff(Path input, String... more) {
        err = new StringWriter();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                current.toString(),
                                "--candidate",
                                candidate.toString(),
                                "--input",
                                input.toString(),
                                "--diff",
                                diff.toString(),
                                "--no-progress"));
        args.addAll(List.of(more));
        return Main.run(
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                args.toArray(new String[0]));
    }

    private List<String> replay(Path rules, String name) throws IOException {
        Path out = dir.resolve(name);
        int exit =
                Main.run(
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(new StringWriter(), true),
                        "replay",
                        "--rules-dir",
                        rules.toString(),
                        "--input",
                        payments.toString(),
                        "--output",
                        out.toString(),
                        "--out-of-orderness",
                        "3s",
                        "--no-progress");
        assertThat(exit).isZero();
        return Files.readAllLines(out);
    }
}
