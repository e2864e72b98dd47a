package dev.flinksidecar.job;

/**
 * The main class of {@code flink-sidecar-local.jar}: the job of {@link SidecarJob} on an embedded
 * Flink cluster. Unless {@code --socket} names a running sidecar, it starts one as a child process
 * with {@code --rules-dir}, waits until it accepts, and stops it at the end, also on failure.
 * Prints what went in and out, and where the results are.
 */
public final class LocalMain {

    private LocalMain() {}

    public static void main(String[] args) {
        System.exit(SidecarJob.run(args, true, System.out, System.err));
    }
}
