package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.operator.client.ServerListener;
import dev.flinksidecar.operator.client.SidecarClient;
import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.proto.CheckpointAck;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.ResultBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's memory per open window and key, measured from outside the sidecar process: one
 * session (as one operator subtask) sends events that open {@code keys x windows} tumbling windows
 * and no watermark, so every window stays open; the heap in use after a full GC ({@code jcmd PID
 * GC.run}, then {@code jstat -gc PID}) before and after, divided by the number of windows. Two
 * shapes separate the cost of a key's first window (its per-key entries) from that of each further
 * window of the same key. The per-class growth ({@code GC.class_histogram}) shows where the bytes
 * go.
 */
final class WindowMemory {

    private static final long START = 1_767_225_600_000L;
    private static final long WINDOW_MS = 10_000;

    private WindowMemory() {}

    /**
     * Runs the measurement on a fresh sidecar with the rules of {@code rules} (a 10 s tumbling
     * sum).
     */
    static void report(Path jar, Path rules, Path dir) throws Exception {
        int keys = 20_000;
        try (BenchSidecar sidecar =
                        BenchSidecar.start(
                                jar, rules, dir, List.of("-XX:+UseSerialGC", "-Xms1g", "-Xmx1g"));
                Session session = Session.open(sidecar.socket)) {
            long pid = sidecar.pid();
            session.send(
                    "warm-up", keys, 0,
                    1); // classes loaded, buffers sized; these windows stay in the baseline
            long base = heapAfterGc(pid);
            Map<String, long[]> classesBefore = histogram(pid);
            session.send(
                    "card", keys, 0,
                    1); // new keys, one window each: the key's entries and a window
            long oneWindow = heapAfterGc(pid);
            session.send("card", keys, 1, 4); // 4 more windows of the same keys
            long fiveWindows = heapAfterGc(pid);
            Map<String, long[]> classesAfter = histogram(pid);

            double perFirst = (oneWindow - base) / (double) keys;
            double perMore = (fiveWindows - oneWindow) / (4.0 * keys);
            System.out.printf(
                    "memory (heap after GC, %,d keys): a key with 1 open window %.0f bytes;"
                            + " each further open window of a key %.0f bytes; %,d open windows take %.1f MB%n",
                    keys, perFirst, perMore, 5 * keys, (fiveWindows - base) / 1e6);
            System.out.println(
                    "where the bytes went (instances and bytes per open window, classes above 4 bytes):");
            growth(classesBefore, classesAfter, 5L * keys);
        }
    }

    /** Bytes in use on the sidecar's heap after a full collection. */
    private static long heapAfterGc(long pid) throws Exception {
        jcmd(pid, "GC.run");
        List<String> lines = run("jstat", "-gc", String.valueOf(pid));
        String[] names = lines.get(0).trim().split("\\s+");
        String[] values = lines.get(1).trim().split("\\s+");
        double kb = 0;
        for (int i = 0; i < names.length; i++) {
            if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
                kb += Double.parseDouble(values[i]);
            }
        }
        return (long) (kb * 1024);
    }

    /** Class name to {instances, bytes}, after a full GC. */
    private static Map<String, long[]> histogram(long pid) throws Exception {
        Map<String, long[]> classes = new HashMap<>();
        for (String line : jcmd(pid, "GC.class_histogram")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return classes;
    }

    private static void growth(
            Map<String, long[]> before, Map<String, long[]> after, long windows) {
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - b[1];
            if (bytes > 4 * windows) {
                grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], bytes}));
            }
        }
        grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        for (Map.Entry<String, long[]> e : grown) {
            System.out.printf(
                    "  %-60s %6.2f x %6.1f bytes%n",
                    e.getKey(),
                    e.getValue()[0] / (double) windows,
                    e.getValue()[1] / (double) windows);
        }
    }

    private static List<String> jcmd(long pid, String command) throws Exception {
        return run("jcmd", String.valueOf(pid), command);
    }

    private static List<String> run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines =
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + lines);
        }
        return lines;
    }

    /**
     * One session with the sidecar, as an operator subtask holds it; batches answered before {@link
     * #send} returns.
     */
    private static final class Session implements AutoCloseable {
        private final SidecarClient client;
        private final Semaphore answered = new Semaphore(0);
        private long sequence;

        private Session(SidecarClient client) {
            this.client = client;
        }

        static Session open(Path socket) throws Exception {
            SidecarClient client = SidecarClient.connect(socket, Duration.ofSeconds(10));
            client.handshake(BenchSidecar.hello("window-memory"), 16 << 20, Duration.ofSeconds(10));
            Session session = new Session(client);
            client.start(
                    new ServerListener() {
                        @Override
                        public void onResults(ResultBatch batch) {
                            session.answered.release();
                        }

                        @Override
                        public void onCheckpointAck(CheckpointAck ack) {}

                        @Override
                        public void onFailure(SidecarSessionException cause) {
                            System.err.println("window memory: " + cause.getMessage());
                        }
                    },
                    "window-memory-reader");
            return session;
        }

        /**
         * Opens {@code windows} windows (from window {@code first} on) for each of the keys
         * PREFIX-0..keys-1; no watermark.
         */
        void send(String prefix, int keys, int first, int windows) throws Exception {
            EventBatchWriter writer = new EventBatchWriter();
            int batches = 0;
            for (int w = first; w < first + windows; w++) {
                for (int k = 0; k < keys; k++) {
                    writer.add(
                            EventRecord.builder(prefix + "-" + k, START + w * WINDOW_MS + k % 1000)
                                    .type("payment")
                                    .set("amount", 12.5)
                                    .build());
                    if (writer.size() == 1024) {
                        flush(writer);
                        batches++;
                    }
                }
            }
            if (writer.size() > 0) {
                flush(writer);
                batches++;
            }
            if (!answered.tryAcquire(batches, 2, TimeUnit.MINUTES)) {
                throw new IOException("the sidecar did not answer " + batches + " batches");
            }
        }

        private void flush(EventBatchWriter writer) throws IOException {
            client.send(
                    ClientMessage.newBuilder()
                            .setEvents(writer.build(++sequence, false, 0))
                            .build());
            writer.clear();
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }
}
