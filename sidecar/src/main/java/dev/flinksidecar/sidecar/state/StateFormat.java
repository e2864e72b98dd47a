package dev.flinksidecar.sidecar.state;

/**
 * The constants of the key state format, described byte by byte in {@code sidecar/STATE-FORMAT.md}.
 *
 * <pre>
 *  key state := version(u8 = 1) sections(varint >= 1) section*        (no windows: zero bytes)
 *  section   := rule_id(string) class(i32) rule_version(string) layout(opt-string)
 *               kind(u8) size(varint) [slide(varint)] [offset(zigzag)] lateness(varint)
 *               windows(varint >= 1) window*
 *  window    := start(zigzag; then varint after the previous start) [length(varint): sessions]
 *               count_fired(varint: count * 2 + fired) accumulator(opt-bytes, the rule's codec)
 * </pre>
 */
public final class StateFormat {

    /**
     * The format version this sidecar writes and reads; the first byte of every non-empty key
     * state.
     */
    public static final int VERSION = 1;

    static final int TUMBLING = 1;
    static final int SLIDING = 2;
    static final int SESSION = 3;

    /** Bounds that no real state reaches; larger counts are corrupt bytes. */
    static final int MAX_SECTIONS = 1 << 16;

    private StateFormat() {}
}
