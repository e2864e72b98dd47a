package dev.flinksidecar.job;

import dev.flinksidecar.operator.client.SidecarUnavailableException;
import org.apache.flink.util.SerializedThrowable;

/** Turns a failed job's exception chain into the one line a person needs. */
final class Failures {

    private static final String SIDECAR_EXCEPTIONS =
            SidecarUnavailableException.class.getPackageName() + ".Sidecar";

    private Failures() {}

    /**
     * The message of the most telling cause: a sidecar problem if there is one, else the root
     * cause.
     */
    static String explain(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (className(t).startsWith(SIDECAR_EXCEPTIONS)) {
                return t.getMessage();
            }
            root = t;
        }
        String message = root.getMessage();
        String name = className(root);
        return "job failed: "
                + (message == null
                        ? name
                        : name.substring(name.lastIndexOf('.') + 1) + ": " + message);
    }

    private static String className(Throwable t) {
        return t instanceof SerializedThrowable
                ? ((SerializedThrowable) t).getOriginalErrorClassName()
                : t.getClass().getName();
    }
}
