package dev.flinksidecar.rule;

/** A rule's configuration is missing a field or has one of the wrong type; the message names it. */
public final class RuleConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuleConfigException(String message) {
        super(message);
    }
}
