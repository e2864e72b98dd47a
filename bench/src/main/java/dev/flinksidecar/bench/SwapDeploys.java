package dev.flinksidecar.bench;

import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.DeployRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The swaps of {@link SwapBenchmark}, on their own thread: versions 1.0.1, 1.0.2, ... of the rule,
 * one per interval, each deployed through the admin socket as {@code sidecar admin deploy
 * threshold.jar --config threshold.json} sends it (one connection per call, {@link AdminCall}),
 * each timed until the load sees the new version answering, plus a tail, before the next one
 * starts.
 */
final class SwapDeploys implements Runnable {

    private final SwapLoad load;
    private final Path admin;
    private final String rule;

    /** The deploy request without its config: the rule's file name and jar. */
    private final DeployRequest jar;

    private final int count;
    private final long interval;
    private final long tail;

    /** Read after the thread ended. */
    final List<Swap> swaps = new ArrayList<>();

    volatile Exception failure;

    SwapDeploys(
            SwapLoad load,
            Path admin,
            String rule,
            byte[] jar,
            int count,
            long interval,
            long tail) {
        this.load = load;
        this.admin = admin;
        this.rule = rule;
        this.jar =
                DeployRequest.newBuilder()
                        .setFileName(rule + ".jar")
                        .setJar(
                                AdminCall.byteString(
                                        DeployRequest.getDefaultInstance().getJar(), jar))
                        .build();
        this.count = count;
        this.interval = interval;
        this.tail = tail;
    }

    @Override
    public void run() {
        try {
            for (int i = 1; i <= count; i++) {
                swaps.add(swap("1.0." + i));
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    private Swap swap(String version) throws IOException, InterruptedException {
        Swap swap = new Swap(version);
        load.await(swap);
        swap.start = System.nanoTime();
        deploy(version);
        swap.returned = System.nanoTime();
        if (!swap.seen.await(30, TimeUnit.SECONDS)) {
            throw new IOException(
                    "no answer named " + rule + " " + version + " within 30 s of its deploy");
        }
        swap.windowEnd = swap.active + tail;
        long next = Math.max(swap.windowEnd, swap.start + interval);
        for (long wait; (wait = next - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
        return swap;
    }

    /** Deploys {@code version} (the config's "version"); returns when the sidecar answered. */
    void deploy(String version) throws IOException {
        AdminRequest request =
                AdminRequest.newBuilder()
                        .setDeploy(
                                jar.toBuilder()
                                        .setConfig(
                                                AdminCall.byteString(
                                                        jar.getConfig(),
                                                        SwapBenchmark.config(version)
                                                                .getBytes(StandardCharsets.UTF_8))))
                        .build();
        AdminResponse response = AdminCall.call(admin, request);
        if (!response.getOk()) {
            throw new IOException(
                    "deploy of "
                            + rule
                            + " "
                            + version
                            + " failed: "
                            + response.getCode()
                            + ": "
                            + response.getMessage()
                            + "\n"
                            + response.getDetail());
        }
    }

    /**
     * Times of {@code n} more deploy calls (versions after the swaps'), ns, e.g. with no load
     * running.
     */
    long[] deployCalls(int n) throws IOException {
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            deploy("1.0." + (count + 1 + i));
            times[i] = System.nanoTime() - start;
        }
        return times;
    }

    /** One swap's times, System.nanoTime. */
    static final class Swap {
        final String version;
        final CountDownLatch seen = new CountDownLatch(1);
        long start;
        long returned;

        /**
         * When the first answer naming {@link #version} arrived: set by the reader thread before
         * {@link #seen} opens.
         */
        volatile long active;

        /** The index of that answer's batch; set with {@link #active}. */
        int firstBatch;

        long windowEnd;

        Swap(String version) {
            this.version = version;
        }
    }
}
