package dev.flinksidecar.events;

/**
 * An input record that is not a valid event; the message is the reason, for a person. It carries no
 * stack trace: it says what is wrong with the input, not where the code was, and a file of bad
 * lines makes one per line.
 */
public final class MalformedEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedEventException(String reason) {
        super(reason, null, false, false);
    }
}
