package dev.flinksidecar.events.wire;

/** Constants of the session protocol that both sides must agree on (see session.proto). */
public final class Protocol {

    /** The protocol version that this build speaks. */
    public static final int VERSION = 1;

    /** Default largest frame either side accepts: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** Every frame starts with its length as a 4-byte big-endian unsigned integer. */
    public static final int LENGTH_FIELD_BYTES = 4;

    private Protocol() {}
}
