package dev.flinksidecar.job.local;

import java.util.Map;

/**
 * Says what a child's exit code means. Java reports a child ended by signal N as exit code {@code
 * 128 + N}, as shells do: 137 is SIGKILL ({@code kill -9}, or the kernel's OOM killer), 143
 * SIGTERM.
 */
final class ExitCodes {

    private static final int SIGNAL_BASE = 128;
    private static final int MAX_SIGNAL = 64;
    private static final Map<Integer, String> SIGNALS =
            Map.of(
                    1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 4, "SIGILL", 6, "SIGABRT", 7, "SIGBUS",
                    8, "SIGFPE", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");

    private ExitCodes() {}

    /** "code 1", or "code 137 (signal 9, SIGKILL)". */
    static String describe(int code) {
        int signal = code - SIGNAL_BASE;
        if (signal < 1 || signal > MAX_SIGNAL) {
            return "code " + code;
        }
        String name = SIGNALS.get(signal);
        return "code " + code + " (signal " + signal + (name == null ? "" : ", " + name) + ")";
    }
}
