package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.rule.RuleConfigException;
import java.lang.reflect.InvocationTargetException;

/** Turns what a rule threw into the one-line reason that dead letters and refusals carry. */
final class Reasons {

    private Reasons() {}

    /**
     * The reason for {@code thrown}: a {@link RuleConfigException}'s message as it is (it already
     * names the field), anything else as {@code class: message}, e.g.
     * {@code java.lang.IllegalStateException: no amount}.
     */
    static String of(Throwable thrown) {
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

    /** Rethrows errors the JVM cannot recover from; a rule's own errors (stack overflow included) are its failures. */
    static void rethrowIfFatal(Throwable thrown) {
        if (thrown instanceof VirtualMachineError && !(thrown instanceof StackOverflowError)) {
            throw (VirtualMachineError) thrown;
        }
    }
}
