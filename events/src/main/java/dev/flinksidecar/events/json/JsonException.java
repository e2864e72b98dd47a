package dev.flinksidecar.events.json;

/** Text that is not the JSON expected; the message says what and where. */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
