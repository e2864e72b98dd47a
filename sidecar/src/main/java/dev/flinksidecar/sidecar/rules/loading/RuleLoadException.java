package dev.flinksidecar.sidecar.rules.loading;

/**
 * A rule jar was refused. The message names the jar and says why in one line, for a person; {@link
 * #detail()} adds what does not fit on a line: the stack trace of an exception that rule code
 * threw, or a self-test's differences.
 */
public final class RuleLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String detail;

    RuleLoadException(String message, Throwable cause) {
        this(message, "", cause);
    }

    /** A refusal that is not about rule code (a file that cannot be stored, an id in use). */
    public RuleLoadException(String message) {
        this(message, "", null);
    }

    /**
     * A refusal with more lines for a person ({@link #detail()}): what rule code threw, as a stack
     * trace.
     */
    public RuleLoadException(String message, String detail, Throwable cause) {
        super(message, cause);
        this.detail = detail == null ? "" : detail;
    }

    /** More lines for a person (a stack trace, a self-test diff), or an empty string. */
    public String detail() {
        return detail;
    }
}
