package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.WindowFiring;
import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's windows against Flink's own: seeded random streams (see {@link RandomStream})
 * through (a) the sidecar's {@link RuleEngine}, with windowed rules of every assigner, with and
 * without allowed lateness, side by side with a per-event rule, fed in random batches with the
 * watermarks in band (interim, at a batch's end, or at the start of the next batch), and (b)
 * Flink's {@code WindowOperator} in its test harness ({@link FlinkWindowOracle}), one per rule,
 * with the same events and watermarks. Per rule, both must give the same window results per key, in
 * the same order, at the same point of the stream, with the same values, counts and timestamps, and
 * the same late events. A second test draws the window sizes, slides, offsets, gaps and lateness at
 * random too, and feeds {@link EventTimeWindows} directly.
 */
class WindowDifferentialTest {

    private static final int SEEDS = 40;

    /** The windowed rules under test: id -> windows and allowed lateness. */
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        add("tumbling", WindowAssigner.tumbling(Duration.ofMillis(2000)), 0);
        add(
                "tumbling-late",
                WindowAssigner.tumbling(Duration.ofMillis(2000), Duration.ofMillis(300)),
                1500);
        add("sliding", WindowAssigner.sliding(Duration.ofMillis(3000), Duration.ofMillis(1000)), 0);
        add(
                "sliding-late",
                WindowAssigner.sliding(
                        Duration.ofMillis(2500), Duration.ofMillis(1000), Duration.ofMillis(200)),
                1200);
        add(
                "sliding-gaps",
                WindowAssigner.sliding(Duration.ofMillis(500), Duration.ofMillis(1500)),
                700);
        add("session", WindowAssigner.session(Duration.ofMillis(700)), 0);
        add("session-late", WindowAssigner.session(Duration.ofMillis(400)), 2000);
    }

    @TempDir static Path dir;

    private static RuleSet rules;

    private final Map<String, Integer> totals = new HashMap<>();

    @BeforeAll
    static void buildRules() throws Exception {
        Path build = Files.createDirectory(dir.resolve("build"));
        Path jar = TestingRuleJars.windowedSum(build, "sum", "{}");
        Path rulesDir = Files.createDirectory(dir.resolve("rules"));
        for (Map.Entry<String, Case> c : CASES.entrySet()) {
            Files.copy(jar, rulesDir.resolve(c.getKey() + ".jar"));
            TestingRuleJars.config(rulesDir, c.getKey(), c.getValue().config());
        }
        TestingRuleJars.threshold(rulesDir, "threshold", 500);
        rules = RuleSet.load(rulesDir);
        assertThat(rules.refusals()).isEmpty();
    }

    @AfterAll
    static void closeRules() throws Exception {
        rules.close();
    }

    @Test
    void theSidecarsWindowsGiveWhatFlinksWindowOperatorGives() throws Exception {
        for (long seed = 1; seed <= SEEDS; seed++) {
            RandomStream stream = new RandomStream(seed);
            Sidecar sidecar = runSidecar(stream, new Random(seed * 31));
            for (Map.Entry<String, Case> c : CASES.entrySet()) {
                String rule = c.getKey();
                try (FlinkWindowOracle flink = runFlink(stream, c.getValue())) {
                    String what = "seed " + seed + ", rule " + rule + " " + c.getValue();
                    assertThat(sidecar.firings(rule))
                            .as(what + ": window results per key")
                            .isEqualTo(flink.firings());
                    assertThat(sidecar.late(rule))
                            .as(what + ": late events")
                            .isEqualTo(flink.late());
                    count(sidecar.firings(rule), flink.late().size());
                }
            }
        }
        assertThat(totals.get("firings")).as("window results over all seeds").isGreaterThan(10_000);
        assertThat(totals.get("late firings"))
                .as("firings within the allowed lateness")
                .isGreaterThan(100);
        assertThat(totals.get("late events")).isGreaterThan(100);
    }

    @Test
    void randomWindowsAndLatenessGiveWhatFlinksWindowOperatorGives() throws Exception {
        for (long seed = 1; seed <= 4 * SEEDS; seed++) {
            Random random = new Random(-seed);
            Case c = randomCase(random);
            RandomStream stream = new RandomStream(seed + 1000);
            try (FlinkWindowOracle flink = runFlink(stream, c)) {
                Direct sidecar = runDirect(stream, c);
                String what = "seed " + seed + ", " + c;
                assertThat(sidecar.firings)
                        .as(what + ": window results per key")
                        .isEqualTo(flink.firings());
                assertThat(sidecar.late).as(what + ": late events").isEqualTo(flink.late());
                count(sidecar.firings, flink.late().size());
            }
        }
        assertThat(totals.get("late firings")).isGreaterThan(100);
    }

    private static Case randomCase(Random random) {
        long lateness = random.nextBoolean() ? 0 : random.nextInt(4000);
        long size = 50 + random.nextInt(5000);
        switch (random.nextInt(3)) {
            case 0:
                return new Case(
                        WindowAssigner.tumbling(
                                Duration.ofMillis(size),
                                Duration.ofMillis(random.nextInt((int) size))),
                        lateness);
            case 1:
                long slide = 20 + random.nextInt((int) size);
                return new Case(
                        WindowAssigner.sliding(
                                Duration.ofMillis(size),
                                Duration.ofMillis(slide),
                                Duration.ofMillis(random.nextInt((int) slide))),
                        lateness);
            default:
                return new Case(WindowAssigner.session(Duration.ofMillis(size / 4 + 1)), lateness);
        }
    }

    /**
     * Feeds the stream straight into {@link EventTimeWindows}, a watermark after each event that
     * has one.
     */
    private static Direct runDirect(RandomStream stream, Case c) {
        EventTimeWindows windows =
                EventTimeWindows.of(
                        new TestingWindowedRule(c.windows, Duration.ofMillis(c.latenessMs)));
        Direct out = new Direct();
        for (int i = 0; i < stream.size(); i++) {
            out.step = "E " + i;
            if (windows.onElement(stream.events.get(i), out)) {
                out.late.add(i);
            }
            if (stream.watermarkAfter[i] != RandomStream.NONE) {
                out.step = "W " + i;
                windows.onWatermark(stream.watermarkAfter[i], out);
            }
        }
        out.step = "W " + (stream.size() - 1);
        windows.onWatermark(Long.MAX_VALUE, out);
        assertThat(windows.openWindows()).isZero();
        assertThat(windows.keys()).isZero();
        return out;
    }

    /** Firings of {@link #runDirect}, in the oracle's terms. */
    private static final class Direct implements Firings {
        final Map<String, List<String>> firings = new LinkedHashMap<>();
        final List<Integer> late = new ArrayList<>();
        String step;

        @Override
        public void fire(String key, long start, long end, double value, long count) {
            firings.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(FlinkWindowOracle.line(step, start, end, end - 1, value, count));
        }

        @Override
        public void failed(String key, long start, long end, Throwable error) {
            throw new AssertionError(error);
        }
    }

    private void count(Map<String, List<String>> firings, int late) {
        for (List<String> lines : firings.values()) {
            totals.merge("firings", lines.size(), Integer::sum);
            totals.merge(
                    "late firings",
                    (int) lines.stream().filter(line -> line.startsWith("E ")).count(),
                    Integer::sum);
        }
        totals.merge("late events", late, Integer::sum);
    }

    private static FlinkWindowOracle runFlink(RandomStream stream, Case c) throws Exception {
        FlinkWindowOracle flink = new FlinkWindowOracle(c.windows, c.latenessMs);
        for (int i = 0; i < stream.size(); i++) {
            EventRecord event = stream.events.get(i);
            if (stream.kept(i)) {
                flink.element(i, event.key(), event.time(), event.getNumber("amount", 0));
            }
            if (stream.watermarkAfter[i] != RandomStream.NONE) {
                flink.watermark(i, stream.watermarkAfter[i]);
            }
        }
        flink.watermark(stream.size() - 1, Long.MAX_VALUE);
        return flink;
    }

    /**
     * Feeds the stream to a fresh engine in random batches, each watermark in band at one of the
     * places it may travel.
     */
    private static Sidecar runSidecar(RandomStream stream, Random random) {
        Sidecar sidecar = new Sidecar();
        try (RuleEngine engine = RuleEngine.open(rules, "differential")) {
            EventBatchWriter writer = new EventBatchWriter();
            long sequence = 1;
            int first = 0;
            int limit = 1 + random.nextInt(64);
            long carried = RandomStream.NONE;
            for (int i = 0; i < stream.size(); i++) {
                if (carried != RandomStream.NONE) {
                    writer.watermarkAfterEvents(
                            carried); // at position 0: after the previous batch's last event
                    carried = RandomStream.NONE;
                }
                writer.add(stream.events.get(i));
                long watermark = stream.watermarkAfter[i];
                boolean end = writer.size() >= limit || random.nextInt(20) == 0;
                boolean atEnd = false;
                if (watermark != RandomStream.NONE) {
                    int place = end ? random.nextInt(3) : 0;
                    if (place == 0) {
                        writer.watermarkAfterEvents(watermark);
                    } else if (place == 1) {
                        atEnd = true;
                    } else {
                        carried = watermark;
                    }
                }
                if (end) {
                    sidecar.collect(
                            engine.process(writer.build(sequence++, atEnd, watermark)), first);
                    writer.clear();
                    first = i + 1;
                    limit = 1 + random.nextInt(64);
                }
            }
            if (carried != RandomStream.NONE) {
                writer.watermarkAfterEvents(carried);
            }
            sidecar.collect(engine.process(writer.build(sequence, true, Long.MAX_VALUE)), first);
        }
        return sidecar;
    }

    /** What the engine answered, per windowed rule, in the oracle's terms. */
    private static final class Sidecar {
        private final Map<String, Map<String, List<String>>> firings = new HashMap<>();
        private final Map<String, List<Integer>> late = new HashMap<>();

        void collect(ResultBatch answer, int first) {
            for (Result result : answer.getResultsList()) {
                if (!result.hasWindow()) {
                    continue;
                }
                WindowFiring w = result.getWindow();
                String step =
                        w.getByWatermark()
                                ? "W " + (first + result.getEventIndex() - 1)
                                : "E " + (first + result.getEventIndex());
                firings.computeIfAbsent(
                                answer.getRules(result.getRule()).getId(),
                                r -> new LinkedHashMap<>())
                        .computeIfAbsent(result.getKey(), k -> new ArrayList<>())
                        .add(
                                FlinkWindowOracle.line(
                                        step,
                                        w.getStart(),
                                        w.getEnd(),
                                        result.getTime(),
                                        w.getValue(),
                                        w.getCount()));
            }
            for (LateEvent event : answer.getLateEventsList()) {
                late.computeIfAbsent(
                                answer.getRules(event.getRule()).getId(), r -> new ArrayList<>())
                        .add(first + event.getEventIndex());
            }
            assertThat(answer.getDeadLettersList()).isEmpty();
        }

        Map<String, List<String>> firings(String rule) {
            return firings.getOrDefault(rule, Map.of());
        }

        List<Integer> late(String rule) {
            return late.getOrDefault(rule, List.of());
        }
    }

    private static void add(String id, WindowAssigner windows, long latenessMs) {
        CASES.put(id, new Case(windows, latenessMs));
    }

    private static final class Case {
        final WindowAssigner windows;
        final long latenessMs;

        Case(WindowAssigner windows, long latenessMs) {
            this.windows = windows;
            this.latenessMs = latenessMs;
        }

        /** The WindowedSum rule's config for these windows. */
        String config() {
            String window;
            switch (windows.type()) {
                case TUMBLING:
                    window =
                            "{\"type\":\"tumbling\",\"size\":\""
                                    + ms(windows.size())
                                    + "\",\"offset\":\""
                                    + ms(windows.offset())
                                    + "\"}";
                    break;
                case SLIDING:
                    window =
                            "{\"type\":\"sliding\",\"size\":\""
                                    + ms(windows.size())
                                    + "\",\"slide\":\""
                                    + ms(windows.slide())
                                    + "\",\"offset\":\""
                                    + ms(windows.offset())
                                    + "\"}";
                    break;
                default:
                    window = "{\"type\":\"session\",\"gap\":\"" + ms(windows.gap()) + "\"}";
            }
            return "{\"window\":" + window + ",\"allowed_lateness_ms\":" + latenessMs + "}";
        }

        private static String ms(long millis) {
            return Durations.format(Duration.ofMillis(millis));
        }

        @Override
        public String toString() {
            return windows + " lateness " + latenessMs + "ms";
        }
    }
}
