package dev.flinksidecar.sidecar.rules;

/** A rule jar was refused; the message names the jar and says why, for a person. */
public final class RuleLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    RuleLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    RuleLoadException(String message) {
        super(message);
    }
}
