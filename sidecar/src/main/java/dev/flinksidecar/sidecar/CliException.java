package dev.flinksidecar.sidecar;

/**
 * A command cannot go on; the message says why in words for a person and is printed as the
 * command's one line of output, without a stack trace.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A problem with the command line itself: a flag's value names something unusable. */
    public static final int USAGE = 2;

    /** A failure while running. */
    public static final int FAILURE = 1;

    private final int exitCode;

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The process exit code: {@link #USAGE} or {@link #FAILURE}. */
    public int exitCode() {
        return exitCode;
    }
}
