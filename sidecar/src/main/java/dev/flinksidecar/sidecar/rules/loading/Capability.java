package dev.flinksidecar.sidecar.rules.loading;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a rule jar's code may call beyond computing on events, by name: the JDK calls that the
 * sidecar refuses in a jar ({@link RefusedCalls}) unless the rule's config allows them ({@code
 * "allow": ["threads"]}). {@link #EXIT} is never allowed: a rule that ends the process ends every
 * other rule and session with it.
 */
public enum Capability {
    /** {@code System.exit}, {@code Runtime.exit}, {@code Runtime.halt}: never allowed. */
    EXIT(false),
    /** {@code ProcessBuilder}, {@code Runtime.exec}, {@code ProcessHandle.destroy}. */
    PROCESSES(true),
    /**
     * {@code System.load}, {@code System.loadLibrary}, {@code Runtime.load}, {@code loadLibrary}.
     */
    NATIVE(true),
    /** {@code sun.misc.Unsafe}, {@code jdk.internal.misc.Unsafe}. */
    UNSAFE(true),
    /**
     * Making threads: {@code new Thread}, {@code Thread.start}, {@code Executors}, thread pools.
     */
    THREADS(true);

    private final boolean allowable;

    Capability(boolean allowable) {
        this.allowable = allowable;
    }

    /** The name a config's {@code "allow"} uses, e.g. {@code threads}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** False for {@link #EXIT}, which no config can allow. */
    public boolean allowable() {
        return allowable;
    }

    /** The capability a config names, or null when there is none by that name. */
    static Capability named(String configName) {
        for (Capability capability : values()) {
            if (capability.configName().equals(configName)) {
                return capability;
            }
        }
        return null;
    }

    /** The names a config may allow, e.g. {@code processes, native, unsafe, threads}. */
    static String allowableNames() {
        return Arrays.stream(values())
                .filter(Capability::allowable)
                .map(Capability::configName)
                .collect(Collectors.joining(", "));
    }
}
