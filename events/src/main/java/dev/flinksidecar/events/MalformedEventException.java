package dev.flinksidecar.events;

/** An input record that is not a valid event; the message is the reason, for a person. */
public final class MalformedEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedEventException(String reason) {
        super(reason);
    }
}
