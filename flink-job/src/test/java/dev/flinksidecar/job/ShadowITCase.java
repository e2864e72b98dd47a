package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadowing on a MiniCluster against a real sidecar process, at parallelism 2 with checkpoints: the
 * source holds still at two points of the stream (its rate limiter withholds the next permit, so
 * checkpoints go on), which makes "after the shadow began" and "after the promote" exact points of
 * the stream.
 *
 * <ul>
 *   <li>A candidate of {@code threshold} (limit 500 beside the active 900) is shadowed at the first
 *       hold: the results are identical to a run without it; its counts are the difference of the
 *       two versions' separate {@code replay} runs over the events between the holds; promoted at
 *       the second hold, the results of every event after it carry the candidate's version.
 *   <li>A candidate that throws on every event and one that sleeps 10 s at a time: the results are
 *       those of a run without them, the first is reported failing and the second slow, with its
 *       skipped batches counted.
 * </ul>
 */
@Timeout(600)
class ShadowITCase {

    private static final int HOLD_1 = 10_000;
    private static final int HOLD_2 = 20_000;
    private static final int EVENTS = 30_000;
    private static final int KEYS = 200;
    private static final long BASE = 1_767_225_600_000L;
    private static final long STEP_MS = 50;

    private static final String THROWING =
            "package shadowrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Throwing implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    throw new IllegalStateException(\"candidate broken\");\n"
                    + "  }\n"
                    + "}\n";

    /** Sleeps 10 s, then runs 10 s of wall time without sleeping, and so on. */
    private static final String SLEEPING =
            "package shadowrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Sleeping implements Rule {\n"
                    + "  private long next;\n"
                    + "  public void onEvent(Event event, ResultCollector out) throws Exception {\n"
                    + "    if (System.nanoTime() - next >= 0) {\n"
                    + "      Thread.sleep(10_000);\n"
                    + "      next = System.nanoTime() + 10_000_000_000L;\n"
                    + "    }\n"
                    + "  }\n"
                    + "}\n";

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStreams.clusterWithoutRestarts(2);

    @TempDir Path tmp;

    @Test
    void aShadowChangesNoResultCountsTheVersionsDifferenceAndIsPromotedAtOneBarrier()
            throws Exception {
        Run plain = run(tmp.resolve("plain"), this::thresholdRules, null);
        Run shadowed = run(tmp.resolve("shadowed"), this::thresholdRules, this::shadowAndPromote);

        long promotedFrom = time(shadowed.holds[1]);
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (String line : shadowed.results) {
            (timeOf(line) < promotedFrom ? before : after).add(line);
        }
        assertThat(before)
                .as("the results before the promote, exactly those of a run without the shadow")
                .isEqualTo(plain.results.stream().filter(l -> timeOf(l) < promotedFrom).toList());
        assertThat(after).isNotEmpty();
        assertThat(after)
                .as("every result after the promote comes from the candidate")
                .allMatch(l -> l.contains("\"version\":\"" + shadowed.candidateVersion + "\""));
        assertThat(after.size())
                .as("the candidate's limit of 500 gives more results than the active 900")
                .isGreaterThan(
                        (int)
                                plain.results.stream()
                                        .filter(l -> timeOf(l) >= promotedFrom)
                                        .count());
        assertThat(shadowed.shadowLines)
                .as("the shadow output: results only the candidate gives")
                .isNotEmpty()
                .allMatch(
                        l ->
                                l.contains("\"outcome\":\"added\"")
                                        || l.contains("\"outcome\":\"dropped\""));
        System.out.printf(
                "ShadowITCase: run without shadow %d ms, with shadow %d ms (including the holds)%n",
                plain.millis, shadowed.millis);
    }

    @Test
    void aThrowingAndASlowCandidateChangeNoResultAndAreReported() throws Exception {
        Run plain = run(tmp.resolve("plain"), this::twoRules, null);
        Run shadowed = run(tmp.resolve("shadowed"), this::twoRules, this::shadowMisbehaving);

        assertThat(shadowed.results).isEqualTo(plain.results);
        assertThat(shadowed.deadLetters).isEmpty();
        System.out.printf(
                "ShadowITCase: run without shadow %d ms, with a throwing and a slow shadow %d ms"
                        + " (including the holds)%n",
                plain.millis, shadowed.millis);
    }

    // ---- the scenarios

    private void thresholdRules(Path rules) throws Exception {
        TestSidecars.deploy(
                rules,
                "threshold",
                "threshold",
                "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 900}");
    }

    private void twoRules(Path rules) throws Exception {
        thresholdRules(rules);
        TestSidecars.deploy(
                rules,
                "threshold",
                "watch",
                "{\"id\": \"watch\", \"field\": \"amount\", \"limit\": 500}");
    }

    /** At hold 1 shadows the candidate; at hold 2 checks its counts and promotes it. */
    private void shadowAndPromote(Path dir, Path admin, Run run) throws Exception {
        Path candidate = Files.createDirectories(dir.resolve("candidate"));
        Path config =
                Files.writeString(
                        candidate.resolve("threshold.json"),
                        "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 500, \"version\": \"2.0.0\"}");
        Path jar =
                Files.copy(
                        TestSidecars.exampleJar("threshold"), candidate.resolve("threshold.jar"));

        GATE.awaitHold(0);
        assertThat(
                        TestSidecars.admin(
                                admin, "shadow", jar.toString(), "--config", config.toString()))
                .contains("shadowing threshold 2.0.0+");
        await(
                "both sessions run the candidate",
                () -> shadowStatus(admin, "threshold").contains("sessions 2"));
        run.candidateVersion = match(shadowStatus(admin, "threshold"), "candidate (\\S+)");
        GATE.release(0);

        GATE.awaitHold(1);
        run.holds = GATE.holds();
        long[] expected = versionsDifference(dir, config, run.holds[0], run.holds[1]);
        await(
                "the shadow counts to equal the difference of the versions' replays "
                        + Arrays.toString(expected),
                () ->
                        Arrays.equals(
                                Arrays.copyOf(counts(shadowStatus(admin, "threshold")), 4),
                                expected));
        String promoted = TestSidecars.admin(admin, "promote", "threshold");
        assertThat(promoted).contains("promoted threshold " + run.candidateVersion);
        await(
                "both sessions switched to the candidate",
                () ->
                        TestSidecars.admin(admin, "status")
                                .lines()
                                .anyMatch(
                                        l ->
                                                l.contains("active    " + run.candidateVersion)
                                                        && l.contains("sessions 2")));
        GATE.release(1);
    }

    /** At hold 1 shadows a throwing and a sleeping candidate; at hold 2 checks their status. */
    private void shadowMisbehaving(Path dir, Path admin, Run run) throws Exception {
        Path jars = Files.createDirectories(dir.resolve("candidates"));
        Path throwing =
                RuleJarBuilder.jar("throwing")
                        .version("1.0.0")
                        .source(THROWING)
                        .rules("shadowrules.Throwing")
                        .writeTo(jars);
        Path sleeping =
                RuleJarBuilder.jar("sleeping")
                        .version("1.0.0")
                        .source(SLEEPING)
                        .rules("shadowrules.Sleeping")
                        .writeTo(jars);
        Path throwingConfig =
                Files.writeString(jars.resolve("throwing.json"), "{\"id\": \"threshold\"}");
        Path sleepingConfig =
                Files.writeString(
                        jars.resolve("sleeping.json"),
                        "{\"id\": \"watch\", \"batch-budget\": \"60s\"}");

        GATE.awaitHold(0);
        TestSidecars.admin(
                admin, "shadow", throwing.toString(), "--config", throwingConfig.toString());
        TestSidecars.admin(
                admin, "shadow", sleeping.toString(), "--config", sleepingConfig.toString());
        await(
                "both sessions run both candidates",
                () ->
                        shadowStatus(admin, "threshold").contains("sessions 2")
                                && shadowStatus(admin, "watch").contains("sessions 2"));
        GATE.release(0);

        GATE.awaitHold(1);
        await(
                "the throwing candidate reported failing",
                () ->
                        shadowStatus(admin, "threshold")
                                .contains(
                                        ", failing (java.lang.IllegalStateException: candidate broken)"));
        await(
                "the sleeping candidate's skipped batches counted",
                () -> counts(shadowStatus(admin, "watch"))[4] > 0);
        String slow = shadowStatus(admin, "watch");
        assertThat(slow).contains(", slow (");
        System.out.println("ShadowITCase: " + shadowStatus(admin, "threshold") + slow);
        GATE.release(1);
    }

    // ---- the job

    /** What one run of the job gave. */
    private static final class Run {
        List<String> results;
        List<String> shadowLines = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        long[] holds = new long[2];
        String candidateVersion;
        long millis;
    }

    @FunctionalInterface
    private interface Rules {
        void into(Path rules) throws Exception;
    }

    @FunctionalInterface
    private interface Admin {
        void during(Path dir, Path admin, Run run) throws Exception;
    }

    /** Runs the job to its end; with {@code admin}, holds the source twice for it. */
    private Run run(Path dir, Rules rules, Admin admin) throws Exception {
        Path rulesDir = dir.resolve("rules");
        rules.into(rulesDir);
        Path socket = dir.resolve("sidecar.sock");
        Path adminSocket = dir.resolve("sidecar.sock.admin");
        GATE.reset(admin != null);
        Run run = new Run();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (LocalSidecarProcess sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(dir),
                        socket,
                        rulesDir,
                        dir.resolve("sidecar.log"),
                        Duration.ofSeconds(60))) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(300);
            DataGeneratorSource<EventRecord> source =
                    new DataGeneratorSource<>(
                            ShadowITCase::generate, EVENTS, new HeldRate(), RecordTypes.EVENT);
            DataStream<EventRecord> events =
                    env.fromSource(source, TestStreams.perEventWatermarks(), "generated")
                            .setParallelism(1);
            SingleOutputStreamOperator<ResultRecord> results =
                    SidecarStreams.process(
                            events.keyBy(EventRecord::key, Types.STRING),
                            SidecarOperatorOptions.defaults()
                                    .with(SidecarOperatorOptions.SOCKET_PATH, socket.toString()));
            CloseableIterator<String> output =
                    results.map(ResultRecord::toString)
                            .returns(Types.STRING)
                            .union(
                                    results.getSideOutput(SidecarStreams.SHADOW_DIFFERENCES)
                                            .map(line -> "shadow " + line)
                                            .returns(Types.STRING),
                                    results.getSideOutput(SidecarStreams.DEAD_LETTERS)
                                            .map(line -> "dead " + line)
                                            .returns(Types.STRING))
                            .collectAsync();
            long started = System.nanoTime();
            JobClient job = env.executeAsync("ShadowITCase " + dir.getFileName());
            CompletableFuture<Void> reader =
                    CompletableFuture.runAsync(
                            () -> {
                                try (output) {
                                    output.forEachRemaining(lines::add);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            try {
                if (admin != null) {
                    admin.during(dir, adminSocket, run);
                }
                job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
                reader.get(1, TimeUnit.MINUTES);
            } finally {
                GATE.releaseAll();
            }
            run.millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(sidecar.isAlive()).as("sidecar alive: %s", sidecar.tail()).isTrue();
        }
        List<String> results = new ArrayList<>();
        synchronized (lines) {
            for (String line : lines) {
                if (line.startsWith("shadow ")) {
                    run.shadowLines.add(line.substring(7));
                } else if (line.startsWith("dead ")) {
                    run.deadLetters.add(line.substring(5));
                } else {
                    results.add(line);
                }
            }
        }
        results.sort(null);
        run.results = results;
        return run;
    }

    /** Event {@code n}: one of 200 keys, every 50 ms of event time, an amount from 0 to 999. */
    private static EventRecord event(long n) {
        return EventRecord.builder("k" + (n * 7919) % KEYS, time(n))
                .type("payment")
                .set("amount", n % 1000)
                .build();
    }

    private static long time(long n) {
        return BASE + n * STEP_MS;
    }

    private static EventRecord generate(long n) {
        GATE.generated.incrementAndGet();
        return event(n);
    }

    // ---- the holds of the source

    private static final Gate GATE = new Gate();

    /**
     * Where the source holds still: its rate limiter withholds the permit of event {@code HOLD_1}
     * (then {@code HOLD_2}) until the test releases it. The source's task stays free (the permit is
     * a future), so checkpoint barriers pass while it holds. The MiniCluster runs in this JVM, so
     * the source's rate limiter and the test share this object.
     */
    private static final class Gate {
        final AtomicLong generated = new AtomicLong();
        final AtomicLong permits = new AtomicLong();
        volatile boolean holding;
        volatile CountDownLatch[] held;
        volatile CompletableFuture<Void>[] release;
        final long[] holds = new long[2];

        @SuppressWarnings("unchecked")
        synchronized void reset(boolean hold) {
            generated.set(0);
            permits.set(0);
            holding = hold;
            held = new CountDownLatch[] {new CountDownLatch(1), new CountDownLatch(1)};
            release =
                    new CompletableFuture[] {new CompletableFuture<>(), new CompletableFuture<>()};
        }

        CompletionStage<Void> acquire() {
            long n = permits.getAndIncrement();
            int at = n == HOLD_1 ? 0 : n == HOLD_2 ? 1 : -1;
            if (!holding || at < 0) {
                return CompletableFuture.completedFuture(null);
            }
            holds[at] = generated.get(); // the events before the hold, all emitted
            held[at].countDown();
            return release[at];
        }

        void awaitHold(int at) throws InterruptedException {
            assertThat(held[at].await(2, TimeUnit.MINUTES))
                    .as("the source reached hold " + at)
                    .isTrue();
        }

        long[] holds() {
            return holds.clone();
        }

        void release(int at) {
            release[at].complete(null);
        }

        void releaseAll() {
            release[0].complete(null);
            release[1].complete(null);
        }
    }

    /** A rate limiter of 10,000 permits a second that holds where {@link #GATE} says. */
    private static final class HeldRate implements RateLimiterStrategy {
        @Override
        public RateLimiter createRateLimiter(int parallelism) {
            RateLimiter limited =
                    RateLimiterStrategy.perSecond(10_000).createRateLimiter(parallelism);
            return new RateLimiter() {
                @Override
                public CompletionStage<Void> acquire(int permits) {
                    CompletionStage<Void> held = GATE.acquire();
                    return held.thenCompose(ignored -> limited.acquire(permits));
                }
            };
        }
    }

    // ---- the expected counts from two replays

    /**
     * Replays the events {@code [from, to)} through the active version (the rules folder's config)
     * and the candidate, and compares their results as the sidecar does (by key and time, then
     * attributes; versions aside).
     *
     * @return agree, added, removed, changed
     */
    private static long[] versionsDifference(Path dir, Path candidateConfig, long from, long to)
            throws Exception {
        Path input = dir.resolve("after-shadow.jsonl");
        StringBuilder events = new StringBuilder();
        for (long n = from; n < to; n++) {
            EventRecord e = event(n);
            events.append("{\"key\":\"")
                    .append(e.key())
                    .append("\",\"time\":")
                    .append(e.time())
                    .append(",\"type\":\"payment\",\"amount\":")
                    .append(n % 1000)
                    .append("}\n");
        }
        Files.writeString(input, events);
        Map<String, String> active =
                replay(
                        dir,
                        "active",
                        "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 900}",
                        input);
        Map<String, String> candidate =
                replay(dir, "candidate", Files.readString(candidateConfig), input);
        long agree = 0;
        long changed = 0;
        for (Map.Entry<String, String> each : active.entrySet()) {
            String other = candidate.get(each.getKey());
            if (other == null) {
                continue;
            }
            if (other.equals(each.getValue())) {
                agree++;
            } else {
                changed++;
            }
        }
        long matched = agree + changed;
        return new long[] {agree, candidate.size() - matched, active.size() - matched, changed};
    }

    /** The results of one version over {@code input}, by key and time, versions stripped. */
    private static Map<String, String> replay(Path dir, String name, String config, Path input)
            throws Exception {
        Path rules = Files.createDirectories(dir.resolve("replay-" + name));
        Files.copy(TestSidecars.exampleJar("threshold"), rules.resolve("threshold.jar"));
        Files.writeString(rules.resolve("threshold.json"), config);
        Path out = dir.resolve("replay-" + name + ".jsonl");
        TestSidecars.replay(
                rules,
                input,
                out,
                dir.resolve("replay-" + name + "-late.jsonl"),
                "0s",
                dir.resolve("replay-" + name + ".log"));
        Map<String, String> byKeyAndTime = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            String key = match(line, "\"key\":\"([^\"]+)\"") + "@" + timeOf(line);
            assertThat(byKeyAndTime.put(key, line.replaceFirst("\"version\":\"[^\"]*\"", "")))
                    .as("one result per key and time")
                    .isNull();
        }
        return byKeyAndTime;
    }

    // ---- reading the admin's output

    private static String shadowStatus(Path admin, String rule) {
        return TestSidecars.admin(admin, "shadow-status", rule);
    }

    /** agree, added, removed, changed, skipped batches of a shadow-status. */
    private static long[] counts(String status) {
        Matcher m =
                Pattern.compile(
                                "agree (\\d+)  added (\\d+)  removed (\\d+)  changed (\\d+)  skipped batches (\\d+)")
                        .matcher(status);
        assertThat(m.find()).as(status).isTrue();
        long[] counts = new long[5];
        for (int i = 0; i < 5; i++) {
            counts[i] = Long.parseLong(m.group(i + 1));
        }
        return counts;
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %s", regex, text).isTrue();
        return m.group(1);
    }

    private static long timeOf(String line) {
        return Long.parseLong(match(line, "\"time\":(\\d+)"));
    }

    private static void await(String what, Supplier<Boolean> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
