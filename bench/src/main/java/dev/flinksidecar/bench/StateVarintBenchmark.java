package dev.flinksidecar.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The varints and zigzag values of the sidecar's key state format, written and read the way the
 * state format did by hand (a growable array, seven bits a byte) against protobuf-java's {@link
 * CodedOutputStream} and {@link CodedInputStream}, on values shaped like a key's windows: a first
 * window start (zigzag, epoch ms), then start deltas, counts and accumulator lengths (varints).
 * Checks that both write the same bytes; reports ns per value of process CPU, medians of rounds.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.StateVarintBenchmark [--rounds 15] [--warmup-rounds 10]
 * </pre>
 */
public final class StateVarintBenchmark {

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final int KEYS = 20_000;
    private static final int PASSES = 200;
    private static final int VALUES_PER_KEY =
            16; // 1 zigzag start, then 5 windows x (delta, count, length)

    private static long checksum;

    private StateVarintBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = 15;
        int warmup = 10;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--warmup-rounds")) {
                warmup = Integer.parseInt(args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long[][] keys = values(new Random(1));
        byte[] hand = HandWritten.write(keys);
        byte[] coded = Coded.write(keys);
        if (!Arrays.equals(hand, coded) || !Arrays.equals(hand, CodedPerValue.write(keys))) {
            throw new AssertionError("the two encodings differ");
        }
        int values = KEYS * VALUES_PER_KEY;
        System.out.printf(
                "%,d keys x %d values (%,d bytes); %d warm-up + %d counted rounds of %d passes; %s%n",
                KEYS,
                VALUES_PER_KEY,
                hand.length,
                warmup,
                rounds,
                PASSES,
                System.getProperty("java.vm.version"));
        Map<String, Task> tasks = new LinkedHashMap<>();
        tasks.put("write, hand-written", () -> checksum += HandWritten.write(keys).length);
        tasks.put("write, CodedOutputStream", () -> checksum += Coded.write(keys).length);
        tasks.put(
                "write, CodedOutputStream a value",
                () -> checksum += CodedPerValue.write(keys).length);
        tasks.put("read, hand-written", () -> checksum += HandWritten.read(hand, KEYS));
        tasks.put("read, CodedInputStream", () -> checksum += Coded.read(hand, KEYS));
        Map<String, double[]> results = new LinkedHashMap<>();
        for (String name : tasks.keySet()) {
            results.put(name, new double[rounds]);
        }
        for (int round = 0; round < warmup + rounds; round++) {
            for (Map.Entry<String, Task> task : tasks.entrySet()) {
                long start = PROCESS.getProcessCpuTime();
                for (int pass = 0; pass < PASSES; pass++) {
                    task.getValue().run();
                }
                double nsPerValue =
                        (PROCESS.getProcessCpuTime() - start) / ((double) PASSES * values);
                if (round >= warmup) {
                    results.get(task.getKey())[round - warmup] = nsPerValue;
                }
            }
        }
        for (Map.Entry<String, double[]> result : results.entrySet()) {
            double[] sorted = result.getValue().clone();
            Arrays.sort(sorted);
            System.out.printf(
                    "%-28s median %6.2f ns per value (min %.2f, max %.2f)%n",
                    result.getKey(),
                    sorted[sorted.length / 2],
                    sorted[0],
                    sorted[sorted.length - 1]);
        }
        System.out.println("checksum " + checksum);
    }

    /**
     * Per key: the first window's start, then (start delta, count * 2 + fired, accumulator length +
     * 1) per window.
     */
    private static long[][] values(Random random) {
        long[][] keys = new long[KEYS][VALUES_PER_KEY];
        for (long[] key : keys) {
            key[0] =
                    1_767_225_600_000L
                            + random.nextInt(86_400_000)
                            - (random.nextInt(8) == 0 ? 3_600_000_000_000L : 0);
            for (int i = 1; i < VALUES_PER_KEY; i += 3) {
                key[i] = 10_000;
                key[i + 1] = (random.nextInt(1000) << 1) | random.nextInt(2);
                key[i + 2] = 1 + 8 * (1 + random.nextInt(3));
            }
        }
        return keys;
    }

    private interface Task {
        void run() throws IOException;
    }

    /**
     * The state format's own code before protobuf-java's: a growable array, and a cursor over it.
     */
    static final class HandWritten {
        private static byte[] bytes = new byte[256];
        private static int size;

        static byte[] write(long[][] keys) {
            size = 0;
            for (long[] key : keys) {
                writeVarint((key[0] << 1) ^ (key[0] >> 63));
                for (int i = 1; i < key.length; i++) {
                    writeVarint(key[i]);
                }
            }
            return Arrays.copyOf(bytes, size);
        }

        private static void writeVarint(long value) {
            if (size + 10 > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + 10));
            }
            while ((value & ~0x7FL) != 0) {
                bytes[size++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            bytes[size++] = (byte) value;
        }

        static long read(byte[] state, int keys) {
            int[] position = {0};
            long sum = 0;
            for (int k = 0; k < keys; k++) {
                long raw = readVarint(state, position);
                sum += (raw >>> 1) ^ -(raw & 1);
                for (int i = 1; i < VALUES_PER_KEY; i++) {
                    sum += readVarint(state, position);
                }
            }
            return sum;
        }

        private static long readVarint(byte[] state, int[] position) {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position[0] >= state.length) {
                    throw new IllegalStateException("truncated");
                }
                long b = state[position[0]++] & 0xFF;
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("a varint longer than 10 bytes");
        }
    }

    /**
     * protobuf-java's encoder made for each value, on the growable array (escape analysis drops
     * it).
     */
    static final class CodedPerValue {
        private static byte[] bytes = new byte[256];
        private static int size;

        static byte[] write(long[][] keys) throws IOException {
            size = 0;
            for (long[] key : keys) {
                writeVarint(CodedOutputStream.encodeZigZag64(key[0]));
                for (int i = 1; i < key.length; i++) {
                    writeVarint(key[i]);
                }
            }
            return Arrays.copyOf(bytes, size);
        }

        private static void writeVarint(long value) throws IOException {
            if (size + 10 > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + 10));
            }
            CodedOutputStream out = CodedOutputStream.newInstance(bytes, size, 10);
            out.writeUInt64NoTag(value);
            size += out.getTotalBytesWritten();
        }
    }

    /**
     * The same through protobuf-java: one {@link CodedOutputStream} over a growable sink, reused.
     */
    static final class Coded {
        private static final Sink SINK = new Sink();
        private static final CodedOutputStream OUT = CodedOutputStream.newInstance(SINK, 4096);

        static byte[] write(long[][] keys) throws IOException {
            SINK.size = 0;
            for (long[] key : keys) {
                OUT.writeSInt64NoTag(key[0]);
                for (int i = 1; i < key.length; i++) {
                    OUT.writeUInt64NoTag(key[i]);
                }
            }
            OUT.flush();
            return Arrays.copyOf(SINK.bytes, SINK.size);
        }

        static long read(byte[] state, int keys) throws IOException {
            CodedInputStream in = CodedInputStream.newInstance(state);
            long sum = 0;
            for (int k = 0; k < keys; k++) {
                sum += in.readSInt64();
                for (int i = 1; i < VALUES_PER_KEY; i++) {
                    sum += in.readRawVarint64();
                }
            }
            return sum;
        }

        private static final class Sink extends OutputStream {
            byte[] bytes = new byte[256];
            int size;

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (size + len > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
                }
                System.arraycopy(b, off, bytes, size, len);
                size += len;
            }
        }
    }
}
