package dev.flinksidecar.bench;

import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.operator.client.ServerListener;
import dev.flinksidecar.operator.client.SidecarClient;
import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.proto.ResultBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The round trip of one batch with nothing else in flight, client to sidecar and back, without
 * Flink: the floor under the operator's latency. One session sends a batch, waits for its answer,
 * optionally pauses (so both processes' threads go idle, as at low load), and sends the next.
 *
 * <pre>
 * RoundTripFloor [--batches 20000] [--sizes 1,16,256] [--pauses-us 0,200]
 * </pre>
 *
 * <p>The sidecar runs with its launcher's JVM flags; {@code -Dsidecar.extra-flags="..."} adds more
 * (a JFR recording, another compile threshold). Beside the percentiles each line gives the CPU per
 * batch of both processes, which at a batch of one event is the fixed cost of a batch.
 */
public final class RoundTripFloor implements ServerListener {

    private final SynchronousQueue<Long> answers = new SynchronousQueue<>();

    public static void main(String[] args) throws Exception {
        int batches = 20_000;
        int[] sizes = {1, 16, 256};
        long[] pauses = {0, 200};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--batches" -> batches = Integer.parseInt(args[i + 1]);
                case "--sizes" ->
                        sizes =
                                Arrays.stream(args[i + 1].split(","))
                                        .mapToInt(Integer::parseInt)
                                        .toArray();
                case "--pauses-us" ->
                        pauses =
                                Arrays.stream(args[i + 1].split(","))
                                        .mapToLong(Long::parseLong)
                                        .toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("sidecar-round-trip");
        Path jar = Path.of("sidecar/target/sidecar.jar");
        Path rules = BenchSidecar.thresholdRules(dir, "rules");
        try (BenchSidecar sidecar = BenchSidecar.start(jar, rules, dir, flags(jar))) {
            CpuClock.sidecar(ProcessHandle.of(sidecar.pid()).orElse(null));
            RoundTripFloor floor = new RoundTripFloor();
            SidecarClient client = SidecarClient.connect(sidecar.socket, Duration.ofSeconds(10));
            client.handshake(
                    BenchSidecar.hello("round-trip-floor"), 16 << 20, Duration.ofSeconds(10));
            client.start(floor, "round-trip-reader");
            long sequence = 0;
            for (int size : sizes) {
                EventBatchWriter writer = new EventBatchWriter();
                for (long pause : pauses) {
                    long[] trips = new long[batches];
                    for (int b = -batches / 4; b < batches; b++) { // a quarter to warm up
                        if (b == 0) {
                            CpuClock.reset();
                            CpuClock.start();
                        }
                        for (int i = 0; i < size; i++) {
                            writer.add(SyntheticPayments.event(sequence * size + i, 10_000));
                        }
                        long sent = System.nanoTime();
                        client.sendFrame(writer.frame(++sequence, false, 0));
                        writer.clear();
                        Long answered = floor.answers.poll(30, TimeUnit.SECONDS);
                        if (answered == null) {
                            throw new IllegalStateException("no answer for 30 s");
                        }
                        if (b >= 0) {
                            trips[b] = answered - sent;
                        }
                        if (pause > 0) {
                            LockSupport.parkNanos(pause * 1000);
                        }
                    }
                    CpuClock.end();
                    Arrays.sort(trips);
                    System.out.printf(
                            "batch of %d, pause %d us: round trip p50 %d us, p99 %d us, p99.9 %d us, max %d us;"
                                    + " CPU per batch: client %d us, sidecar %d us%n",
                            size,
                            pause,
                            trips[batches / 2] / 1000,
                            trips[(int) (batches * 0.99)] / 1000,
                            trips[(int) (batches * 0.999)] / 1000,
                            trips[batches - 1] / 1000,
                            CpuClock.jvmNanos() / batches / 1000,
                            CpuClock.sidecarNanos() / batches / 1000);
                }
            }
            client.close();
        }
    }

    /** The launcher's JVM flags, then those of {@code -Dsidecar.extra-flags} (which win). */
    private static List<String> flags(Path jar) throws IOException {
        List<String> flags = new ArrayList<>(BenchSidecar.launcherFlags(jar));
        String extra = System.getProperty("sidecar.extra-flags", "").trim();
        if (!extra.isEmpty()) {
            flags.addAll(List.of(extra.split("\\s+")));
        }
        return flags;
    }

    @Override
    public void onResults(ResultBatch batch) {
        try {
            answers.put(System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onFailure(SidecarSessionException cause) {
        cause.printStackTrace();
        System.exit(1);
    }
}
