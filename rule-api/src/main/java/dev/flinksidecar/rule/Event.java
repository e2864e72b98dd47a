package dev.flinksidecar.rule;

/**
 * One event of the stream, as a rule sees it: a key, an event time, an optional type, typed
 * attributes and optional opaque payload bytes.
 *
 * <p><b>An event is only valid during the call that hands it over.</b> The sidecar reads events
 * straight out of the received batch without copying them, and the same object may show the next
 * event after the call returns. Copy out what a rule needs to keep.
 */
public interface Event extends Attributes {

    /** The key the Flink job partitions by. Events of one key reach one session, in order. */
    String key();

    /** Event time, epoch milliseconds. */
    long time();

    /** The event's type, for example {@code "payment"}, or null when it has none. */
    String type();

    /**
     * Opaque bytes that the producer attached, for example the user's own protobuf message; an
     * empty array when there are none. The sidecar never looks inside them.
     */
    byte[] payload();
}
