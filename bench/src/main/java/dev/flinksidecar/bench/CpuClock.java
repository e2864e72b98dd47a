package dev.flinksidecar.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Process CPU time of the benchmark's JVM (where the MiniCluster runs) plus that of a sidecar
 * process, read at the start and at the end of a measured stretch, so a benchmark can say how much
 * CPU each event cost on both sides together. The sidecar's figure comes from {@link
 * ProcessHandle.Info#totalCpuDuration()} ({@code /proc/PID/stat} on Linux, ticks of 10 ms): good
 * over seconds, not over milliseconds.
 *
 * <p>Static, because {@link Probe} runs inside Flink's tasks in this JVM and must reach it.
 * Threads: any; {@link #start} keeps the first reading of a stretch, {@link #end} the last.
 */
final class CpuClock {

    private static volatile ProcessHandle sidecar;
    private static volatile long[] first;
    private static volatile long[] last;

    private CpuClock() {}

    /** Counts {@code process} beside this JVM from now on; null: this JVM alone. */
    static void sidecar(ProcessHandle process) {
        sidecar = process;
    }

    /** Starts a new stretch: forgets the readings of the previous one. */
    static synchronized void reset() {
        first = null;
        last = null;
    }

    /** The stretch starts now, unless it has started already. Any thread. */
    static synchronized void start() {
        if (first == null) {
            first = read();
        }
    }

    /** The stretch ends now, unless a later call says otherwise. Any thread. */
    static synchronized void end() {
        last = read();
    }

    /** CPU nanoseconds of this JVM during the stretch. */
    static long jvmNanos() {
        return first == null || last == null ? 0 : last[0] - first[0];
    }

    /** CPU nanoseconds of the sidecar process during the stretch. */
    static long sidecarNanos() {
        return first == null || last == null ? 0 : last[1] - first[1];
    }

    private static long[] read() {
        long jvm =
                ((com.sun.management.OperatingSystemMXBean)
                                ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime();
        ProcessHandle process = sidecar;
        long other =
                process == null
                        ? 0
                        : process.info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
        return new long[] {jvm, other};
    }
}
