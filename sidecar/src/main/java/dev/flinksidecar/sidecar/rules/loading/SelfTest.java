package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.EventFormat;
import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.sidecar.rules.running.FixedFeed;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Runs the self-test a rule jar ships, if any, on the candidate version before it may run on real
 * events. A jar that ships none passes.
 *
 * <pre>
 *   META-INF/sidecar/selftest.jsonl            events, as in an event file (JSON Lines)
 *   META-INF/sidecar/selftest-expected.jsonl   the results they must give, one JSON object per
 *                                              line, as replay writes them; "rule" and "version"
 *                                              are not compared (the jar cannot know its own hash
 *                                              nor the id a config gives it), nor is the order of
 *                                              fields; numbers compare by value (5 equals 5.0)
 *   META-INF/sidecar/selftest-config.json      optional: the config to test with; without it, the
 *                                              config being deployed
 * </pre>
 *
 * <p>The events go through a fresh engine with {@code replay}'s deterministic watermarks and no
 * out-of-orderness (after each event, the largest time so far minus 1 ms; at the end, one that
 * fires every window). The version is refused when its results differ, when the rule throws on a
 * self-test event, or when the files cannot be read. Runs rule code on the calling thread.
 */
final class SelfTest {

    static final String EVENTS = "META-INF/sidecar/selftest.jsonl";
    static final String EXPECTED = "META-INF/sidecar/selftest-expected.jsonl";
    static final String CONFIG = "META-INF/sidecar/selftest-config.json";
    private static final int MAX_DIFFERENCES = 10;

    private SelfTest() {}

    static void run(RuleJar jar) throws RuleLoadException {
        String where = "rule jar ".concat(jar.fileName()).concat(": self-test");
        EventBatchWriter batch = new EventBatchWriter();
        List<String> expected;
        RuleConfig config;
        try (JarFile file = new JarFile(jar.artifact().jarFile().toFile(), false)) {
            ZipEntry events = file.getEntry(EVENTS);
            if (events == null) {
                return;
            }
            if (file.getEntry(EXPECTED) == null) {
                throw new RuleLoadException(
                        where + ": the jar has " + EVENTS + " but no " + EXPECTED);
            }
            readEvents(where, file, events, batch);
            expected = lines(text(file, file.getEntry(EXPECTED)));
            ZipEntry configEntry = file.getEntry(CONFIG);
            config =
                    configEntry == null
                            ? jar.artifact().config()
                            : config(where, text(file, configEntry));
        } catch (IOException e) {
            throw new RuleLoadException(where + ": cannot read its files: " + e, e);
        }
        List<String> actual = run(where, jar, config, batch);
        compare(where, expected, actual);
    }

    private static List<String> run(
            String where, RuleJar jar, RuleConfig config, EventBatchWriter batch)
            throws RuleLoadException {
        List<LoadedRule> rules = new ArrayList<>();
        jar.rules().forEach(rule -> rules.add(rule.withConfig(config)));
        RuleVersion version = RuleVersion.unmanaged(rules);
        try (RuleEngine engine = RuleEngine.open(new FixedFeed(List.of(version)), where)) {
            if (!engine.refusals().isEmpty()) {
                RuleLoadException refusal = engine.refusals().get(0);
                throw new RuleLoadException(
                        where + ": " + refusal.getMessage(), refusal.detail(), null);
            }
            ResultBatch answer = engine.process(batch.build(1, true, Long.MAX_VALUE));
            if (answer.getDeadLettersCount() > 0) {
                DeadLetter failure = answer.getDeadLetters(0);
                throw new RuleLoadException(
                        where
                                + " failed: the rule threw on event "
                                + (failure.getEventIndex() + 1)
                                + " of "
                                + EVENTS
                                + ": "
                                + failure.getReason());
            }
            List<String> actual = new ArrayList<>();
            answer.getResultsList()
                    .forEach(r -> actual.add(ResultJson.toJson(answer.getRules(r.getRule()), r)));
            return actual;
        }
    }

    private static void readEvents(
            String where, JarFile file, ZipEntry entry, EventBatchWriter batch)
            throws IOException, RuleLoadException {
        try (EventFileReader reader =
                EventFileReader.open(EVENTS, file.getInputStream(entry), EventFormat.JSON_LINES)) {
            long maxTime = Long.MIN_VALUE;
            for (EventFileReader.Entry line = reader.next(); line != null; line = reader.next()) {
                if (line.event() == null) {
                    throw new RuleLoadException(
                            where
                                    + ": "
                                    + EVENTS
                                    + " line "
                                    + line.line()
                                    + " is malformed: "
                                    + line.error());
                }
                batch.add(line.event());
                long previous = maxTime;
                maxTime = Math.max(maxTime, line.event().time());
                if (maxTime > previous) {
                    batch.watermarkAfterEvents(maxTime - 1);
                }
            }
        }
    }

    private static void compare(String where, List<String> expected, List<String> actual)
            throws RuleLoadException {
        StringBuilder diff = new StringBuilder();
        int differences = 0;
        int first = 0;
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : null;
            String got = i < actual.size() ? actual.get(i) : null;
            if (want != null
                    && got != null
                    && comparable(where, i, want).equals(comparable(where, -1, got))) {
                continue;
            }
            if (differences++ == 0) {
                first = i + 1;
            }
            if (differences <= MAX_DIFFERENCES) {
                diff.append("result ")
                        .append(i + 1)
                        .append(":\n  expected ")
                        .append(want == null ? "(nothing)" : want)
                        .append("\n  got      ")
                        .append(got == null ? "(nothing)" : got)
                        .append('\n');
            }
        }
        if (differences > 0) {
            throw new RuleLoadException(
                    where
                            + " failed: "
                            + differences
                            + " of "
                            + Math.max(expected.size(), actual.size())
                            + " results differ (expected "
                            + expected.size()
                            + " results, got "
                            + actual.size()
                            + "), the first at result "
                            + first,
                    diff.toString(),
                    null);
        }
    }

    /** A result line without rule and version, numbers as doubles: what the comparison looks at. */
    private static Map<String, Object> comparable(String where, int expectedLine, String line)
            throws RuleLoadException {
        try {
            Map<String, Object> fields = new LinkedHashMap<>(Json.parseObject(line));
            fields.remove("rule");
            fields.remove("version");
            fields.replaceAll(
                    (name, value) ->
                            value instanceof Number
                                    ? (Object) ((Number) value).doubleValue()
                                    : value);
            return fields;
        } catch (JsonException e) {
            throw new RuleLoadException(
                    where
                            + ": "
                            + EXPECTED
                            + " line "
                            + (expectedLine + 1)
                            + " is not a JSON object: "
                            + e.getMessage());
        }
    }

    private static RuleConfig config(String where, String text) throws RuleLoadException {
        try {
            return RuleConfig.of(Json.parseObject(text));
        } catch (JsonException e) {
            throw new RuleLoadException(
                    where + ": " + CONFIG + " is not a JSON object: " + e.getMessage());
        }
    }

    private static String text(JarFile file, ZipEntry entry) throws IOException {
        try (InputStream in = file.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }
}
