package dev.flinksidecar.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The demo job as users run it ({@code java -XX:SharedArchiveFile=flink-sidecar-local.jsa -jar
 * flink-sidecar-local.jar --input FILE --rules-dir examples/target/rules --output DIR}: an embedded
 * cluster, a sidecar child, the file source, the three example rules, exactly-once result files) on
 * a file of payment events shaped like {@code testdata/payments.jsonl}, against JobComparison's
 * sidecar path (synthetic events, one threshold rule, a discarding sink) in the same run.
 *
 * <p>Each run is a fresh {@code java -jar} child process, timed from its start to its exit: once on
 * the big file, once on a file of one line (the fixed cost: JVM, embedded cluster, sidecar start,
 * job deployment, the last checkpoint, shutdown), and once more on the one-line file without the
 * local jar's class data sharing archives (the JDK's own only, for the job's JVM and the sidecar
 * child), alternating. The job proper is the big file's median time less the one-line file's; its
 * rate is compared with JobComparison's sidecar path measured between the runs (events/s at its
 * source between 10% and 100% of its events).
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.FileJobComparison [--events 2000000] [--runs 3] [--parallelism 1] \
 *     [--sidecar-events 4000000] [--local-jar flink-job/target/flink-sidecar-local.jar]
 * </pre>
 *
 * Run from the repository root after {@code mvn -DskipTests package}, and do not rebuild while it
 * runs: the archives apply to the jar where the build wrote it. The input is written once into a
 * temp folder ({@code --work DIR} keeps it between runs); {@code --sidecar-events 0} skips the
 * JobComparison part.
 */
public final class FileJobComparison {

    /** Merchants no rule watches; merchant-watch watches "QuickCash Exchange", BR and TH. */
    private static final String[] MERCHANTS = {
        "Corner Market",
        "Fuel Stop",
        "Trattoria Roma",
        "Sky Airlines",
        "Green Valley Grocers",
        "Burger Barn",
        "Oak & Pine Furniture"
    };

    private static final String[] COUNTRIES = {"US", "FR", "DE", "GB", "NL", "GR"};
    private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private FileJobComparison() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        long events = Long.parseLong(flags.getOrDefault("--events", "2000000"));
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        int parallelism = Integer.parseInt(flags.getOrDefault("--parallelism", "1"));
        long sidecarEvents = Long.parseLong(flags.getOrDefault("--sidecar-events", "4000000"));
        Path jar =
                Path.of(
                        flags.getOrDefault(
                                "--local-jar", "flink-job/target/flink-sidecar-local.jar"));
        Path rules = Path.of(flags.getOrDefault("--rules-dir", "examples/target/rules"));
        Path work =
                flags.containsKey("--work")
                        ? Files.createDirectories(Path.of(flags.get("--work")))
                        : Files.createTempDirectory("file-job-bench");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " not found: build first (mvn -DskipTests package)");
        }
        if (!Files.isRegularFile(archive(jar))) {
            throw new IOException(
                    archive(jar)
                            + " not found: the build writes it beside the jar when it builds the"
                            + " example rules too (mvn -DskipTests package from the root)");
        }
        Path big = work.resolve("payments-" + events + ".jsonl");
        if (!Files.isRegularFile(big)) {
            write(big, events);
        }
        Path one = work.resolve("payments-1.jsonl");
        write(one, 1);
        System.out.printf(
                "input %s (%,d bytes), parallelism %d, rules %s, %s%n",
                big, Files.size(big), parallelism, rules, System.getProperty("java.vm.version"));

        JobComparison synthetic = sidecarEvents > 0 ? JobComparison.sidecarOnly(parallelism) : null;
        List<Double> bigSeconds = new ArrayList<>();
        List<Double> oneSeconds = new ArrayList<>();
        List<Double> plainSeconds = new ArrayList<>();
        List<Double> syntheticRates = new ArrayList<>();
        if (synthetic != null) {
            synthetic.startSidecar(work);
            synthetic.sidecarRate(sidecarEvents / 4); // warm-up
        }
        try {
            for (int r = 0; r < runs; r++) {
                bigSeconds.add(
                        run(jar, true, big, rules, work.resolve("out-big-" + r), parallelism));
                oneSeconds.add(
                        run(jar, true, one, rules, work.resolve("out-one-" + r), parallelism));
                plainSeconds.add(
                        run(jar, false, one, rules, work.resolve("out-plain-" + r), parallelism));
                String line =
                        String.format(
                                "run %d: %,d lines %.2f s, one line %.2f s (without the archives %.2f s)",
                                r + 1,
                                events,
                                bigSeconds.get(r),
                                oneSeconds.get(r),
                                plainSeconds.get(r));
                if (synthetic != null) {
                    syntheticRates.add(synthetic.sidecarRate(sidecarEvents));
                    line +=
                            String.format(
                                    ", JobComparison sidecar %,.0f events/s",
                                    syntheticRates.get(r));
                }
                System.out.println(line);
            }
        } finally {
            if (synthetic != null) {
                synthetic.stopSidecar();
            }
            if (!flags.containsKey("--work")) {
                deleteTree(work); // a temporary folder of some 400 MB: the input and the outputs
            }
        }
        double bigMedian = median(bigSeconds);
        double fixed = median(oneSeconds);
        double rate = events / (bigMedian - fixed);
        String summary =
                String.format(
                        "median: %,d lines %.2f s, one line (fixed cost) %.2f s (without the local jar's archives %.2f s), job proper %.2f s = %,.0f events/s",
                        events, bigMedian, fixed, median(plainSeconds), bigMedian - fixed, rate);
        if (synthetic != null) {
            double syntheticRate = median(syntheticRates);
            summary +=
                    String.format(
                            ", JobComparison sidecar %,.0f events/s, ratio %.2f",
                            syntheticRate, rate / syntheticRate);
        }
        System.out.println(summary);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Seconds from the start of {@code java -jar localJar ...} to its exit; fails on exit != 0.
     * With {@code archives}, as the README runs it: with the archive the build writes beside the
     * jar (the sidecar child finds its own there). Without, both JVMs use the JDK's archive only.
     */
    private static double run(
            Path localJar, boolean archives, Path input, Path rules, Path output, int parallelism)
            throws IOException, InterruptedException {
        Path log = output.resolveSibling(output.getFileName() + ".log");
        String javaHome = System.getProperty("java.home");
        String jdkArchive =
                "-XX:SharedArchiveFile=" + Path.of(javaHome, "lib", "server", "classes.jsa");
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome, "bin", "java").toString());
        command.add(archives ? "-XX:SharedArchiveFile=" + archive(localJar) : jdkArchive);
        command.addAll(
                List.of(
                        "-jar",
                        localJar.toString(),
                        "--input",
                        input.toString(),
                        "--rules-dir",
                        rules.toString(),
                        "--output",
                        output.toString(),
                        "--parallelism",
                        Integer.toString(parallelism)));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (!archives) {
            builder.environment().put("SIDECAR_JAVA_OPTS", jdkArchive); // wins over its archive
        }
        long start = System.nanoTime();
        Process process = builder.start();
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (exit != 0) {
            throw new IOException("the job exited with " + exit + "; see " + log);
        }
        return seconds;
    }

    /** The archive the build writes beside the local jar {@code NAME.jar}: {@code NAME.jsa}. */
    private static Path archive(Path localJar) {
        String name = localJar.getFileName().toString();
        return localJar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
    }

    /**
     * Payment events as {@code testdata/payments.jsonl} has them: 500 cards, event time in order
     * about 10 ms apart, one in twenty written as an ISO-8601 instant, 4% refunds, amounts with two
     * decimals (about 2% above the threshold rule's 1000), some merchants and countries that
     * merchant-watch watches. Seeded: the same bytes every time.
     */
    static void write(Path file, long count) throws IOException {
        Random random = new Random(42);
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            long time = START;
            for (long i = 0; i < count; i++) {
                time += random.nextInt(20);
                String when =
                        random.nextInt(20) == 0
                                ? '"' + Instant.ofEpochMilli(time).toString() + '"'
                                : Long.toString(time);
                double amount =
                        random.nextInt(50) == 0
                                ? 1000 + random.nextInt(400_000) / 100.0
                                : random.nextInt(30_000) / 100.0;
                out.write(
                        String.format(
                                Locale.ROOT,
                                "{\"key\":\"card-%04d\",\"time\":%s,\"type\":\"%s\",\"amount\":%.2f,"
                                        + "\"merchant\":\"%s\",\"country\":\"%s\",\"channel\":\"%s\","
                                        + "\"card_present\":%b}\n",
                                random.nextInt(500),
                                when,
                                random.nextInt(25) == 0 ? "refund" : "payment",
                                amount,
                                random.nextInt(200) < 3
                                        ? "QuickCash Exchange"
                                        : MERCHANTS[random.nextInt(MERCHANTS.length)],
                                random.nextInt(200) < 3
                                        ? (random.nextBoolean() ? "BR" : "TH")
                                        : COUNTRIES[random.nextInt(COUNTRIES.length)],
                                random.nextBoolean() ? "web" : "pos",
                                random.nextBoolean()));
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
