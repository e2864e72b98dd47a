package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.rule.RuleConfigException;
import java.lang.reflect.InvocationTargetException;

/** Turns what a rule threw into the one-line reason that dead letters and refusals carry. */
public final class Reasons {

    /** Frames of a rule's stack trace kept in a refusal's detail. */
    private static final int MAX_FRAMES = 30;

    private Reasons() {}

    /**
     * The reason for {@code thrown}: a {@link RuleConfigException}'s message as it is (it already
     * names the field), anything else as {@code class: message}, e.g. {@code
     * java.lang.IllegalStateException: no amount}.
     */
    public static String of(Throwable thrown) {
        Throwable cause = unwrap(thrown);
        if (cause instanceof RuleConfigException) {
            return cause.getMessage();
        }
        return cause.toString();
    }

    static Throwable unwrap(Throwable thrown) {
        Throwable cause = thrown;
        while (cause instanceof InvocationTargetException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * The stack trace of what rule code threw, as text, down to the frame where the sidecar called
     * into the rule (the sidecar's own frames say nothing to a rule author), with its causes; empty
     * for a {@link RuleConfigException}, whose message says it all.
     */
    public static String stack(Throwable thrown) {
        Throwable cause = unwrap(thrown);
        if (cause instanceof RuleConfigException) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            out.append(t == cause ? "" : "Caused by: ").append(t).append('\n');
            int frames = 0;
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().startsWith("dev.flinksidecar.sidecar.")
                        || frames++ == MAX_FRAMES) {
                    break;
                }
                out.append("\tat ").append(frame).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Rethrows errors the JVM cannot recover from; a rule's own errors (stack overflow included)
     * are its failures.
     */
    public static void rethrowIfFatal(Throwable thrown) {
        if (thrown instanceof VirtualMachineError && !(thrown instanceof StackOverflowError)) {
            throw (VirtualMachineError) thrown;
        }
    }
}
