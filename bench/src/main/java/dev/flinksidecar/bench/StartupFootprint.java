package dev.flinksidecar.bench;

import static dev.flinksidecar.bench.FootprintProcesses.awaitReady;
import static dev.flinksidecar.bench.FootprintProcesses.copySidecar;
import static dev.flinksidecar.bench.FootprintProcesses.cpuMs;
import static dev.flinksidecar.bench.FootprintProcesses.deleteTree;
import static dev.flinksidecar.bench.FootprintProcesses.freePort;
import static dev.flinksidecar.bench.FootprintProcesses.launch;
import static dev.flinksidecar.bench.FootprintProcesses.launcherFlags;
import static dev.flinksidecar.bench.FootprintProcesses.loadAverage;
import static dev.flinksidecar.bench.FootprintProcesses.rssMb;
import static dev.flinksidecar.bench.FootprintProcesses.stop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The footprint benchmark (BENCHMARKS.md, StartupFootprint): start to ready and resident memory of
 * the sidecar as its launcher starts it, next to a bare Netty Unix-socket server (the floor, {@link
 * FloorServer}), and events/s through a session per sidecar setup (metrics on against off, JVM flag
 * variants).
 *
 * <p><b>Starts</b>: {@code --starts} rounds; each round starts every setup once, in turn: the floor
 * (small flags, its own class data sharing archive made the same way as the sidecar's, Netty's
 * native library pre-extracted), the sidecar through a copy of {@code sidecar/target} with its
 * archive ({@code bin/sidecar serve}, the examples' rules), the same without the archive, and each
 * {@code --start-variant}, and each other build of {@code --start-build LABEL=DIR} (a {@code
 * sidecar/target} of another commit, with its own archive). Timed from just before the process
 * starts until ready: the sidecar's {@code /health/ready} answers 200 when the sidecar serves HTTP,
 * else its socket accepts; the floor's socket accepts. Resident memory (VmRSS of /proc/PID/status):
 * idle, after one batch's round trip; and after {@code --events} events through the session
 * (batches of {@code --batch}, at most {@code --in-flight} unanswered; the floor echoes the same
 * frames). Medians. Before each start, this JVM collects its garbage and waits {@code --settle-ms}
 * (default 300), so that the previous start's events do not load the machine during the next start.
 *
 * <p><b>Throughput</b>: {@code --runs} rounds over the variants, each a fresh sidecar with its
 * archive: {@code --warmup-events}, then {@code --measured-events} timed. With HTTP: every variant
 * serves {@code --http-port} and is scraped once a second, and the variants are metrics on and
 * {@code -C sidecar.metrics.enabled=false}; plus each {@code --variant LABEL=FLAGS}, FLAGS being
 * the sidecar's {@code SIDECAR_JAVA_OPTS} (LABEL without '='). {@code --starts 0} runs the
 * throughput part only.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.StartupFootprint [--starts 10] [--events 1000000] [--batch 1000] [--in-flight 4] \
 *     [--keys 10000] [--runs 5] [--warmup-events 1000000] [--measured-events 2000000] \
 *     [--sidecar-dir sidecar/target] [--rules examples/target/rules] [--settle-ms 300] \
 *     [--start-variant LABEL=FLAGS]... [--start-build LABEL=DIR]... [--variant LABEL=FLAGS]...
 * </pre>
 */
public final class StartupFootprint {

    private final Map<String, String> options = new LinkedHashMap<>();
    private final Map<String, String> startVariants = new LinkedHashMap<>();
    private final Map<String, String> startBuilds = new LinkedHashMap<>();
    private final Map<String, String> variants = new LinkedHashMap<>();
    private Path work;
    private boolean http;

    public static void main(String[] args) throws Exception {
        // A benchmark stopped with Ctrl-C or SIGTERM leaves no sidecar or floor server running.
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () ->
                                        ProcessHandle.current()
                                                .descendants()
                                                .forEach(ProcessHandle::destroyForcibly),
                                "stop-children"));
        new StartupFootprint(args).run();
    }

    private StartupFootprint(String[] args) {
        options.putAll(
                Map.of(
                        "--starts",
                        "10",
                        "--events",
                        "1000000",
                        "--batch",
                        "1000",
                        "--in-flight",
                        "4",
                        "--keys",
                        "10000",
                        "--runs",
                        "5",
                        "--warmup-events",
                        "1000000",
                        "--measured-events",
                        "2000000",
                        "--sidecar-dir",
                        "sidecar/target",
                        "--rules",
                        "examples/target/rules"));
        options.put("--settle-ms", "300");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--variant")
                    || args[i].equals("--start-variant")
                    || args[i].equals("--start-build")) {
                String[] pair = args[i + 1].split("=", 2);
                Map<String, String> into =
                        switch (args[i]) {
                            case "--variant" -> variants;
                            case "--start-variant" -> startVariants;
                            default -> startBuilds;
                        };
                into.put(pair[0], pair.length > 1 ? pair[1] : "");
            } else if (options.containsKey(args[i])) {
                options.put(args[i], args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
    }

    private int intOption(String name) {
        return Integer.parseInt(options.get(name));
    }

    private void run() throws Exception {
        work = Files.createTempDirectory("startup-footprint");
        try {
            Path built = Path.of(options.get("--sidecar-dir"));
            Path withArchive = copySidecar(built, work.resolve("sidecar"), true);
            Path withoutArchive = copySidecar(built, work.resolve("sidecar-no-archive"), false);
            FloorSetup floor = FloorSetup.prepare(work.resolve("floor"));
            http = servesHttp(withArchive);
            System.out.printf(
                    "%s, %d CPUs, Java %s; load average %s%n",
                    "startup footprint",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"),
                    loadAverage());
            System.out.println("sidecar flags (bin/sidecar): " + launcherFlags(withArchive));
            System.out.println(
                    "floor flags: "
                            + String.join(" ", FloorSetup.FLAGS)
                            + " + its archive + "
                            + "-Djava.library.path (Netty's native library pre-extracted)");
            System.out.println(
                    "sidecar ready: "
                            + (http
                                    ? "/health/ready answers 200"
                                    : "its socket accepts (no HTTP in this sidecar yet)")
                            + "; rules "
                            + options.get("--rules"));
            if (intOption("--starts") > 0) {
                startups(floor, withArchive, withoutArchive);
            }
            if (intOption("--runs") > 0) {
                throughput(withArchive);
            }
            System.out.println("load average at the end: " + loadAverage());
        } finally {
            deleteTree(work);
        }
    }

    private void startups(FloorSetup floor, Path withArchive, Path withoutArchive)
            throws Exception {
        int batch = intOption("--batch");
        List<byte[]> frames =
                FootprintSession.batches(
                        Long.parseLong(options.get("--events")), batch, intOption("--keys"));
        Map<String, Setup> setups = new LinkedHashMap<>();
        setups.put("floor: bare Netty server, archive", floor::command);
        setups.put(
                "sidecar, launcher + archive",
                (socket, port) -> sidecarCommand(withArchive, socket, port, "", List.of()));
        setups.put(
                "sidecar, launcher, no archive",
                (socket, port) -> sidecarCommand(withoutArchive, socket, port, "", List.of()));
        startVariants.forEach(
                (label, flags) ->
                        setups.put(
                                "sidecar + archive, " + label,
                                (socket, port) ->
                                        sidecarCommand(
                                                withArchive, socket, port, flags, List.of())));
        int build = 0;
        for (Map.Entry<String, String> other : startBuilds.entrySet()) {
            Path home =
                    copySidecar(Path.of(other.getValue()), work.resolve("build-" + ++build), true);
            setups.put(
                    "build " + other.getKey() + " + archive",
                    (socket, port) -> sidecarCommand(home, socket, port, "", List.of()));
        }
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        int starts = intOption("--starts");
        System.out.printf(
                "%n%d starts of each, in turn; %,d events in batches of %,d, %d in flight%n",
                starts, Long.parseLong(options.get("--events")), batch, intOption("--in-flight"));
        for (int round = 1; round <= starts; round++) {
            for (Map.Entry<String, Setup> setup : setups.entrySet()) {
                boolean isFloor = setup.getKey().startsWith("floor");
                double[] figures = startOnce(setup.getValue(), !isFloor, frames, batch, round);
                results.computeIfAbsent(setup.getKey(), k -> new ArrayList<>()).add(figures);
                System.out.printf(
                        "  %d %-40s ready %5.0f ms (CPU %4.0f ms)  idle %5.1f MB  after %5.1f MB  %,9.0f events/s%n",
                        round,
                        setup.getKey(),
                        figures[0],
                        figures[4],
                        figures[1],
                        figures[2],
                        figures[3]);
            }
        }
        System.out.printf(
                "%nmedians of %d starts                start to ready       its CPU until ready   RSS idle   RSS after %s events   events/s%n",
                starts, options.get("--events"));
        double floorReady = median(results.values().iterator().next(), 0);
        double floorCpu = median(results.values().iterator().next(), 4);
        for (Map.Entry<String, List<double[]>> entry : results.entrySet()) {
            List<double[]> runs = entry.getValue();
            System.out.printf(
                    "  %-40s %6.0f ms (x%.2f)    %6.0f ms (x%.2f)      %6.1f MB   %6.1f MB   %,10.0f%n",
                    entry.getKey(),
                    median(runs, 0),
                    median(runs, 0) / floorReady,
                    median(runs, 4),
                    median(runs, 4) / floorCpu,
                    median(runs, 1),
                    median(runs, 2),
                    median(runs, 3));
        }
    }

    /**
     * Lets the machine go quiet before a start is timed: the last start's million events leave this
     * JVM compiling and collecting for a while, which took CPU from the next start (two cores; the
     * sidecar's start keeps both busy, the floor's one).
     */
    private void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(intOption("--settle-ms"));
    }

    /**
     * Ready ms, RSS idle MB, RSS after the events MB, events/s, CPU ms of the process until ready.
     */
    private double[] startOnce(
            Setup setup, boolean sidecar, List<byte[]> frames, int batch, int round)
            throws Exception {
        Path dir =
                Files.createDirectories(work.resolve("start-" + round + "-" + System.nanoTime()));
        Path socket = dir.resolve("s.sock");
        int port = http && sidecar ? freePort() : 0;
        settle();
        long start = System.nanoTime();
        Process process = launch(setup.command(socket, port), dir);
        try {
            awaitReady(process, socket, port, dir);
            double readyMs = (System.nanoTime() - start) / 1e6;
            double readyCpuMs = cpuMs(process.pid());
            if (Files.readString(dir.resolve("out.log")).contains("Unable to use shared archive")) {
                throw new IOException(
                        "the JVM did not use its archive: "
                                + Files.readString(dir.resolve("out.log")));
            }
            try (FootprintSession session = FootprintSession.open(socket, sidecar)) {
                session.run(frames, 0, 1, 1);
                double idle = rssMb(process.pid());
                long t0 = System.nanoTime();
                session.run(frames, 1, frames.size(), intOption("--in-flight"));
                double rate =
                        (frames.size() - 1) * (double) batch / ((System.nanoTime() - t0) / 1e9);
                return new double[] {readyMs, idle, rssMb(process.pid()), rate, readyCpuMs};
            }
        } finally {
            stop(process);
            deleteTree(dir);
        }
    }

    private void throughput(Path withArchive) throws Exception {
        int batch = intOption("--batch");
        long warmup = Long.parseLong(options.get("--warmup-events"));
        List<byte[]> frames =
                FootprintSession.batches(
                        warmup + Long.parseLong(options.get("--measured-events")),
                        batch,
                        intOption("--keys"));
        int warmupFrames = (int) (warmup / batch);
        Map<String, List<String>> runArgs = new LinkedHashMap<>();
        Map<String, String> runFlags = new LinkedHashMap<>();
        runArgs.put(http ? "metrics on, scraped 1/s" : "default flags", List.of());
        runFlags.put(runArgs.keySet().iterator().next(), "");
        if (http) {
            runArgs.put("metrics off", List.of("-C", "sidecar.metrics.enabled=false"));
            runFlags.put("metrics off", "");
        }
        variants.forEach(
                (label, flags) -> {
                    runArgs.put(label, List.of());
                    runFlags.put(label, flags);
                });
        System.out.printf(
                "%nthroughput: %d runs of each, in turn; a fresh sidecar (launcher + archive), %,d events warm-up, "
                        + "then %,d timed%n",
                intOption("--runs"), warmup, (frames.size() - warmupFrames) * (long) batch);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int round = 1; round <= intOption("--runs"); round++) {
            for (String label : runArgs.keySet()) {
                Path dir =
                        Files.createDirectories(
                                work.resolve("run-" + round + "-" + System.nanoTime()));
                Path socket = dir.resolve("s.sock");
                int port = http ? freePort() : 0;
                Process process =
                        launch(
                                sidecarCommand(
                                        withArchive,
                                        socket,
                                        port,
                                        runFlags.get(label),
                                        runArgs.get(label)),
                                dir);
                try (FootprintProcesses.Scraper scraper = new FootprintProcesses.Scraper(port)) {
                    awaitReady(process, socket, port, dir);
                    try (FootprintSession session = FootprintSession.open(socket, true)) {
                        session.run(frames, 0, warmupFrames, intOption("--in-flight"));
                        long t0 = System.nanoTime();
                        double cpu0 = cpuMs(process.pid());
                        session.run(frames, warmupFrames, frames.size(), intOption("--in-flight"));
                        double events = (frames.size() - warmupFrames) * (double) batch;
                        double rate = events / ((System.nanoTime() - t0) / 1e9);
                        double cpuPerMillion = (cpuMs(process.pid()) - cpu0) / (events / 1e6);
                        double[] figures = {rate, rssMb(process.pid()), cpuPerMillion};
                        results.computeIfAbsent(label, k -> new ArrayList<>()).add(figures);
                        System.out.printf(
                                "  %d %-40s %,10.0f events/s  sidecar CPU %5.0f ms per 1M events  RSS %5.1f MB%s%n",
                                round,
                                label,
                                rate,
                                cpuPerMillion,
                                figures[1],
                                http ? String.format("  %d scrapes", scraper.scrapes()) : "");
                    }
                } finally {
                    stop(process);
                    deleteTree(dir);
                }
            }
        }
        System.out.printf(
                "%nmedians of %d runs                         events/s   ratio   CPU ms per 1M events   ratio   RSS after%n",
                intOption("--runs"));
        double first = median(results.values().iterator().next(), 0);
        double firstCpu = median(results.values().iterator().next(), 2);
        for (Map.Entry<String, List<double[]>> entry : results.entrySet()) {
            List<double[]> runs = entry.getValue();
            System.out.printf(
                    "  %-40s %,10.0f   %5.3f   %8.0f               %5.3f   %5.1f MB   (events/s from %,.0f to %,.0f)%n",
                    entry.getKey(),
                    median(runs, 0),
                    median(runs, 0) / first,
                    median(runs, 2),
                    median(runs, 2) / firstCpu,
                    median(runs, 1),
                    runs.stream().mapToDouble(r -> r[0]).min().orElse(0),
                    runs.stream().mapToDouble(r -> r[0]).max().orElse(0));
        }
    }

    /**
     * {@code dir/bin/sidecar serve ...}, with {@code SIDECAR_JAVA_OPTS} as its first element (see
     * {@link #launch}).
     */
    private List<String> sidecarCommand(
            Path home, Path socket, int port, String javaOpts, List<String> args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "SIDECAR_JAVA_OPTS="
                                        + javaOpts
                                        + " -Djava.io.tmpdir="
                                        + socket.getParent(),
                                home.resolve("bin/sidecar").toString(),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                Path.of(options.get("--rules")).toAbsolutePath().toString()));
        if (port > 0) {
            command.addAll(List.of("--http-port", Integer.toString(port)));
        }
        command.addAll(args);
        return command;
    }

    /** Whether this sidecar serves HTTP: its serve --help no longer calls --http-port reserved. */
    private static boolean servesHttp(Path home) throws Exception {
        Process help =
                new ProcessBuilder(home.resolve("bin/sidecar").toString(), "serve", "--help")
                        .redirectErrorStream(true)
                        .start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        help.waitFor();
        return text.contains("--http-port") && !text.contains("Reserved");
    }

    private static double median(List<double[]> runs, int index) {
        double[] values = runs.stream().mapToDouble(r -> r[index]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** How a setup is started: its command for a socket (and an HTTP port, 0 for none). */
    private interface Setup {
        List<String> command(Path socket, int port) throws IOException;
    }
}
