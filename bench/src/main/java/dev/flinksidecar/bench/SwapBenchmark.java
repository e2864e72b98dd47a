package dev.flinksidecar.bench;

import dev.flinksidecar.bench.SwapDeploys.Swap;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.ListRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The hot-swap benchmark: hot swaps of a per-event rule under a steady load, on a real sidecar
 * process, seen from one session as one operator subtask holds it.
 *
 * <pre>
 *   main thread    warm up, then calibrate: batches unthrottled (at most IN_FLIGHT unanswered) -> the
 *   (SwapLoad)     sidecar's rate here; then a steady load at RATE (default: half of that), every
 *                  batch timed from its send to its ResultBatch
 *   swap thread    every INTERVAL: a deploy of the threshold rule with config version 1.0.i through
 *   (SwapDeploys)  the admin socket; times (a) the call, (b) deploy start to the first ResultBatch
 *                  whose rule table names 1.0.i
 *   reader thread  checks each answer: one result per event, one rule version per batch, versions
 *                  never going backwards
 * </pre>
 *
 * A batch is "during a swap" when it was in flight at any time from a deploy's start until 200 ms
 * ({@code --tail-ms}) after the new version's first answer; "steady" when it overlaps no swap at
 * all (warm-up swaps included). The rule's limit is -1e18, so every event gives a result.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.SwapBenchmark [--swaps 20] [--warmup-swaps 2] [--interval-ms 1000] [--batch 256] \
 *     [--in-flight 4] [--rate 0 (= half the calibrated rate)] [--warmup-s 10] [--calibrate-s 5] [--tail-ms 200] \
 *     [--keys 10000] [--sidecar-jar sidecar/target/sidecar.jar] [--rule-jar examples/target/rules/threshold.jar] \
 *     [--sidecar-flags "-XX:+UseSerialGC -Xmx512m" (JVM flags for the sidecar, space-separated)]
 * </pre>
 *
 * Run from the repository root after {@code mvn -DskipTests install}.
 */
public final class SwapBenchmark {

    static final String RULE = "threshold";

    private final Map<String, String> flags;

    private SwapBenchmark(Map<String, String> flags) {
        this.flags = flags;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        new SwapBenchmark(flags).run();
    }

    /** The rule's config for {@code version}: every event's amount is above the limit. */
    static String config(String version) {
        return "{\"id\": \""
                + RULE
                + "\", \"field\": \"amount\", \"limit\": -1e18, \"version\": \""
                + version
                + "\"}";
    }

    private String flag(String name, String orElse) {
        return flags.getOrDefault(name, orElse);
    }

    private int intFlag(String name, int orElse) {
        return Integer.parseInt(flag(name, String.valueOf(orElse)));
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("sidecar-swap-bench");
        try {
            Path rules = Files.createDirectories(dir.resolve("rules"));
            byte[] ruleJar =
                    Files.readAllBytes(
                            Path.of(flag("--rule-jar", "examples/target/rules/threshold.jar")));
            Files.write(rules.resolve(RULE + ".jar"), ruleJar);
            Files.writeString(rules.resolve(RULE + ".json"), config("1.0.0"));
            // a private copy: a rebuild of the sidecar module during the run cannot swap classes
            // under it
            Path jar =
                    Files.copy(
                            Path.of(flag("--sidecar-jar", "sidecar/target/sidecar.jar")),
                            dir.resolve("sidecar.jar"));
            Path gcLog = dir.resolve("gc.log");
            List<String> jvmFlags = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog));
            if (!sidecarFlags().isEmpty()) {
                jvmFlags.addAll(List.of(sidecarFlags().split("\\s+")));
            }
            try (BenchSidecar sidecar = BenchSidecar.start(jar, rules, dir, jvmFlags);
                    SwapLoad load =
                            SwapLoad.open(
                                    sidecar.socket,
                                    RULE,
                                    intFlag("--batch", 256),
                                    intFlag("--in-flight", 4),
                                    intFlag("--keys", 10_000))) {
                measure(load, Path.of(sidecar.socket + ".admin"), ruleJar, gcLog);
            }
        } catch (Exception e) {
            Path log = dir.resolve("sidecar.log");
            if (Files.isRegularFile(log)) { // the folder goes next: show what the sidecar said
                System.err.println("the sidecar's log:");
                Files.readAllLines(log).forEach(System.err::println);
            }
            throw e;
        } finally {
            deleteTree(dir);
        }
    }

    private String sidecarFlags() {
        return flag("--sidecar-flags", "").trim();
    }

    private void measure(SwapLoad load, Path admin, byte[] ruleJar, Path gcLog) throws Exception {
        int swaps = intFlag("--swaps", 20);
        int warmupSwaps = intFlag("--warmup-swaps", 2);
        long interval = TimeUnit.MILLISECONDS.toNanos(intFlag("--interval-ms", 1000));
        long period = loadPeriod(load);
        long[] listLoaded = listCalls(admin);
        int measuredFrom = load.sent();
        long gcFrom = GcPauses.lines(gcLog);
        GcPauses ownGc = GcPauses.watchThisJvm();

        SwapDeploys deploys =
                new SwapDeploys(
                        load,
                        admin,
                        RULE,
                        ruleJar,
                        warmupSwaps + swaps,
                        interval,
                        TimeUnit.MILLISECONDS.toNanos(intFlag("--tail-ms", 200)));
        Thread thread = new Thread(deploys, "swap-deploys");
        thread.setDaemon(true); // a failed load must not wait for the swaps to end
        thread.start();
        load.drive(period, () -> !thread.isAlive());
        load.drive(period, deadline(1)); // steady batches after the last swap too
        thread.join();
        if (deploys.failure != null) {
            throw deploys.failure;
        }
        ownGc.stop();
        long gcTo = GcPauses.lines(gcLog);
        long[] listIdle = listCalls(admin);
        long[] deployIdle = deploys.deployCalls(5);

        List<Swap> all = deploys.swaps;
        List<Swap> counted = all.subList(warmupSwaps, all.size());
        Swap first = all.get(0);
        System.out.printf(
                "admin request with no work (list, median of %d calls): under load %.2f ms, idle %.2f ms%n",
                listLoaded.length, ms(median(listLoaded)), ms(median(listIdle)));
        System.out.printf(
                "first swap of the run: deploy call %.1f ms, deploy start to the new version answering %.1f ms%n",
                ms(first.returned - first.start), ms(first.active - first.start));
        System.out.printf(
                "%d swaps measured (after %d warm-up swaps), one every %d ms:%n  %-46s %9s %9s%n",
                counted.size(),
                warmupSwaps,
                TimeUnit.NANOSECONDS.toMillis(interval),
                "",
                "median",
                "max");
        row2(
                "(a) deploy call returns",
                counted.stream().mapToLong(s -> s.returned - s.start).toArray());
        row2(
                "(b) deploy start to first new-version answer",
                counted.stream().mapToLong(s -> s.active - s.start).toArray());
        row2("    (b) - (a)", counted.stream().mapToLong(s -> s.active - s.returned).toArray());
        row2("the same deploy call, idle sidecar (5 calls)", deployIdle);
        latencies(load, all, counted, measuredFrom, load.batchSize * 1e9 / period);
        System.out.printf(
                "sidecar GC from the first swap on: %s; this JVM's (sender and reader): %s%n",
                GcPauses.inLog(gcLog, gcFrom, gcTo), ownGc);
    }

    /**
     * Warms up, measures the unthrottled rate, and settles at the load rate: {@code --rate}, or
     * half the unthrottled rate, lowered until no batch goes out late for 3 s (unthrottled batches
     * keep both sides busy; paced ones cost wake-ups, so half is not always sustainable on 2 cores,
     * and an open loop that is just sustainable falls behind at the first hiccup). Returns the
     * nanoseconds between batches.
     */
    private long loadPeriod(SwapLoad load) throws IOException, InterruptedException {
        load.drive(
                0,
                deadline(
                        intFlag(
                                "--warmup-s",
                                10))); // both JVMs compile their hot paths (about 8 s here)
        int first = load.sent();
        load.drive(0, deadline(intFlag("--calibrate-s", 5)));
        double capacity = load.rate(first, load.sent());
        double given = Double.parseDouble(flag("--rate", "0"));
        double rate = given > 0 ? given : capacity / 2;
        long period;
        int lowered = 0;
        while (true) { // settles at the load rate; a default rate the sidecar does not keep up with
            // is lowered
            period = (long) (load.batchSize * 1e9 / rate);
            int from = load.sent();
            load.drive(period, deadline(3));
            if (given > 0 || lowered == 5 || load.maxLate(from, load.sent()) <= SwapLoad.LATE) {
                break;
            }
            rate *= 0.8;
            lowered++;
        }
        System.out.printf(
                "sidecar JVM flags: %s; rule %s%n",
                sidecarFlags().isEmpty() ? "default" : sidecarFlags(), config("1.0.N"));
        System.out.printf(
                "batches of %d events (%,d keys), at most %d in flight; unthrottled after the warm-up: %,.0f events/s;"
                        + " load %,.0f events/s (%,.0f batches/s)%s%n",
                load.batchSize,
                intFlag("--keys", 10_000),
                load.inFlight,
                capacity,
                rate,
                1e9 / period,
                given > 0
                        ? ""
                        : lowered == 0
                                ? ", half of that"
                                : ", half of that lowered "
                                        + lowered
                                        + " times by 20% until no batch went out late for 3 s");
        return period;
    }

    /**
     * The round trips of the batches sent from {@code from} on, steady against during a swap;
     * whether the load kept {@code rate}.
     */
    private static void latencies(
            SwapLoad load, List<Swap> all, List<Swap> counted, int from, double rate) {
        int[] batches = IntStream.range(from, load.sent()).toArray();
        int[] steady = select(batches, i -> !overlaps(all, load, i, false));
        int[] during = select(batches, i -> overlaps(counted, load, i, false));
        int[] deployCall = select(batches, i -> overlaps(counted, load, i, true));
        int[] firstOnNew = counted.stream().mapToInt(s -> s.firstBatch).toArray();
        int[] afterCall = select(during, i -> !overlaps(counted, load, i, true));

        System.out.printf(
                "round trip per batch, send to its ResultBatch:%n  %-46s %9s %9s %9s %9s%n",
                "", "batches", "p50", "p99", "max");
        long[] s = row4("steady (overlapping no swap)", roundTrips(load, steady, false));
        long[] d =
                row4(
                        "during a swap (deploy start to first + tail)",
                        roundTrips(load, during, false));
        row4("  of which in flight during the deploy call", roundTrips(load, deployCall, false));
        row4("  of which only after it returned", roundTrips(load, afterCall, false));
        row4("  the first batch of each new version", roundTrips(load, firstOnNew, false));
        System.out.printf(
                "added by a swap: max during - p99 steady %.2f ms; p99 during - p99 steady %.2f ms%n",
                ms(max(d) - pct(s, 0.99)), ms(pct(d, 0.99) - pct(s, 0.99)));
        long[] ss = roundTrips(load, steady, true);
        long[] ds = roundTrips(load, during, true);
        System.out.printf(
                "from when the batch was due instead (adds waiting for a free in-flight slot): steady p99 %.2f ms,"
                        + " max %.2f ms; during p99 %.2f ms, max %.2f ms%n",
                ms(pct(ss, 0.99)), ms(max(ss)), ms(pct(ds, 0.99)), ms(max(ds)));
        int to = load.sent();
        double achieved = load.rate(from, to);
        System.out.printf(
                "%s: %,.0f events/s of %,.0f; %.1f%% of the batches waited more than %d ms for a free slot, the longest %.1f ms%n",
                achieved >= 0.98 * rate
                        ? "the load kept its rate"
                        : "WARNING: the sidecar fell behind the load here (backpressure), so the load ran slower",
                achieved,
                rate,
                100 * load.lateShare(from, to),
                TimeUnit.NANOSECONDS.toMillis(SwapLoad.LATE),
                ms(load.maxLate(from, to)));
        System.out.printf(
                "checks: %,d events, each answered with exactly one result; every batch ran one %s version;"
                        + " versions never went backwards%n",
                (long) load.sent() * load.batchSize, RULE);
    }

    /**
     * Whether batch {@code i} was in flight during a swap's window (or, with {@code callOnly},
     * during its deploy call).
     */
    private static boolean overlaps(List<Swap> swaps, SwapLoad load, int i, boolean callOnly) {
        long sent = load.sentAt.get(i);
        long answered = load.answeredAt.get(i);
        for (Swap swap : swaps) {
            if (sent <= (callOnly ? swap.returned : swap.windowEnd) && answered >= swap.start) {
                return true;
            }
        }
        return false;
    }

    private static int[] select(int[] batches, IntPredicate keep) {
        return Arrays.stream(batches).filter(keep).toArray();
    }

    /**
     * Sorted round trips of {@code batches}, from the send or (with {@code fromDue}) from when it
     * was due.
     */
    private static long[] roundTrips(SwapLoad load, int[] batches, boolean fromDue) {
        long[] times = new long[batches.length];
        for (int k = 0; k < batches.length; k++) {
            int i = batches[k];
            times[k] = load.answeredAt.get(i) - (fromDue ? load.dueAt.get(i) : load.sentAt.get(i));
        }
        Arrays.sort(times);
        return times;
    }

    /**
     * Nanoseconds of each of 21 admin requests that do no work ({@code list}): the admin path's own
     * cost.
     */
    private static long[] listCalls(Path admin) throws IOException {
        long[] times = new long[21];
        AdminRequest list =
                AdminRequest.newBuilder().setList(ListRequest.getDefaultInstance()).build();
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            AdminCall.call(admin, list);
            times[i] = System.nanoTime() - start;
        }
        return times;
    }

    private static BooleanSupplier deadline(int seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        return () -> System.nanoTime() >= end;
    }

    private static void row2(String name, long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        System.out.printf("  %-46s %6.1f ms %6.1f ms%n", name, ms(pct(v, 0.5)), ms(max(v)));
    }

    private static long[] row4(String name, long[] sorted) {
        System.out.printf(
                "  %-46s %,9d %6.2f ms %6.2f ms %6.2f ms%n",
                name, sorted.length, ms(pct(sorted, 0.5)), ms(pct(sorted, 0.99)), ms(max(sorted)));
        return sorted;
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return pct(v, 0.5);
    }

    /** Nearest rank; for p 0.5 and an even count, the mean of the two middle values. */
    private static long pct(long[] sorted, double p) {
        int n = sorted.length;
        if (n == 0) {
            return 0;
        }
        if (p == 0.5 && n % 2 == 0) {
            return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
        return sorted[Math.max(0, (int) Math.ceil(p * n) - 1)];
    }

    private static long max(long[] sorted) {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
