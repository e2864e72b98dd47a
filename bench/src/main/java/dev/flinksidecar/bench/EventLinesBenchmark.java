package dev.flinksidecar.bench;

import dev.flinksidecar.bench.json.HandWrittenEventLines;
import dev.flinksidecar.bench.json.JacksonEventLines;
import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.events.EventFormat;
import dev.flinksidecar.events.EventLineParser;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.MalformedEventException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MB/s of reading an event file of JSON Lines into {@link EventRecord}s, in memory (no disk): the
 * hand-written way it was done before (a {@code BufferedReader}'s lines, the project's JSON tree
 * reader, then a record: {@link HandWrittenEventLines}) against {@link EventFileReader} as it is
 * now (lines split as bytes, {@link EventLineParser} into the record), and the two line parsers on
 * lines split the same way: {@link EventLineParser} against jackson-core's streaming {@code
 * JsonParser} ({@link JacksonEventLines}) doing the same work. Each reads the whole file and keeps
 * each event's key and time in a checksum the JIT cannot drop.
 *
 * <p>MB per second of the process's CPU time, not of wall time: on a machine shared with other
 * work, wall time swings with what else runs; CPU time much less. The process's, not the reading
 * thread's: the garbage collector's threads work for the reader that allocates (the compiler's
 * threads count too, hence the warm-up rounds).
 *
 * <p>A plain main with warm-up and medians: each round reads the file {@code --repeat} times with
 * each reader in turn (alternating, so drift in the machine's speed hits both), rounds after {@code
 * --warmup-rounds} count, and the median of the counted rounds is reported.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.EventLinesBenchmark [--input testdata/payments.jsonl] [--rounds 15] \
 *     [--warmup-rounds 10] [--repeat 20]
 * </pre>
 */
public final class EventLinesBenchmark {

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static long checksum;

    private EventLinesBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path input = Path.of("testdata/payments.jsonl");
        int rounds = 15;
        int warmup = 10;
        int repeat = 20;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--input":
                    input = Path.of(args[i + 1]);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[i + 1]);
                    break;
                case "--warmup-rounds":
                    warmup = Integer.parseInt(args[i + 1]);
                    break;
                case "--repeat":
                    repeat = Integer.parseInt(args[i + 1]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] file = Files.readAllBytes(input);
        Map<String, Reader> readers = new LinkedHashMap<>();
        readers.put(
                "hand-written (String lines, Json tree, Builder)",
                bytes -> HandWrittenEventLines.read(bytes, EventLinesBenchmark::consume));
        readers.put(
                "EventFileReader (byte lines, EventLineParser)",
                EventLinesBenchmark::eventFileReader);
        EventLineParser handWritten = new EventLineParser();
        JacksonEventLines jackson = new JacksonEventLines();
        readers.put("split lines, EventLineParser", bytes -> lines(bytes, handWritten::parse));
        readers.put(
                "split lines, jackson-core JsonParser per line",
                bytes -> lines(bytes, jackson::parse));
        int events = eventFileReader(file);
        System.out.printf(
                "input %s: %,d bytes, %,d events; %d warm-up + %d counted rounds of %d reads per reader; %s%n",
                input,
                file.length,
                events,
                warmup,
                rounds,
                repeat,
                System.getProperty("java.vm.version"));

        Map<String, List<Double>> mbPerSecond = new LinkedHashMap<>();
        readers.keySet().forEach(name -> mbPerSecond.put(name, new ArrayList<>()));
        for (int round = 0; round < warmup + rounds; round++) {
            StringBuilder line =
                    new StringBuilder(round < warmup ? "warm-up " : "round   ")
                            .append(round)
                            .append(':');
            for (Map.Entry<String, Reader> reader : readers.entrySet()) {
                long start = PROCESS.getProcessCpuTime();
                for (int r = 0; r < repeat; r++) {
                    reader.getValue().read(file);
                }
                double seconds = (PROCESS.getProcessCpuTime() - start) / 1e9;
                double mb = file.length * (double) repeat / 1e6 / seconds;
                line.append(String.format("  %.1f MB/s", mb));
                if (round >= warmup) {
                    mbPerSecond.get(reader.getKey()).add(mb);
                }
            }
            System.out.println(line);
        }
        com.sun.management.ThreadMXBean thread =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<String, Long> allocated = new LinkedHashMap<>();
        for (Map.Entry<String, Reader> reader : readers.entrySet()) {
            long before = thread.getCurrentThreadAllocatedBytes();
            reader.getValue().read(file);
            allocated.put(
                    reader.getKey(), (thread.getCurrentThreadAllocatedBytes() - before) / events);
        }
        double baseline = 0;
        for (Map.Entry<String, List<Double>> result : mbPerSecond.entrySet()) {
            double[] values =
                    result.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = values[values.length / 2];
            if (baseline == 0) {
                baseline = median;
            }
            System.out.printf(
                    "%-55s median %7.1f MB/s (min %.1f, max %.1f)  %,.0f events/s  x%.2f  %,d bytes allocated per event%n",
                    result.getKey(),
                    median,
                    values[0],
                    values[values.length - 1],
                    median * 1e6 / file.length * events,
                    median / baseline,
                    allocated.get(result.getKey()));
        }
        System.out.println("checksum " + checksum);
    }

    private static int eventFileReader(byte[] file) throws IOException {
        int n = 0;
        try (EventFileReader reader =
                EventFileReader.open(
                        "in.jsonl", new ByteArrayInputStream(file), EventFormat.JSON_LINES)) {
            for (EventFileReader.Entry entry = reader.next();
                    entry != null;
                    entry = reader.next()) {
                EventRecord event = entry.event();
                if (event != null) {
                    consume(event);
                    n++;
                }
            }
        }
        return n;
    }

    /** Splits at '\\n' (the test data's only line break) and parses each line. */
    private static int lines(byte[] file, LineParser parser) {
        int n = 0;
        int start = 0;
        for (int i = 0; i <= file.length; i++) {
            if (i == file.length || file[i] == '\n') {
                if (i > start) {
                    try {
                        consume(parser.parse(file, start, i - start));
                        n++;
                    } catch (MalformedEventException e) {
                        // as a dead letter would be
                    }
                }
                start = i + 1;
            }
        }
        return n;
    }

    private static void consume(EventRecord event) {
        checksum += event.time() + event.key().length() + event.attributeCount();
    }

    private interface LineParser {
        EventRecord parse(byte[] bytes, int offset, int length) throws MalformedEventException;
    }

    /** One way of reading a whole file: returns a count (events or malformed lines). */
    private interface Reader {
        int read(byte[] file) throws IOException;
    }
}
