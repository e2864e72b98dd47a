package dev.flinksidecar.rule;

import java.time.Duration;
import java.util.Objects;

/**
 * Which event-time windows an event belongs to: the three assigners of Flink, with the same
 * arithmetic (windows are aligned to the epoch, shifted by an optional offset; ends are exclusive).
 *
 * <pre>
 *  tumbling(10s)           [0,10s) [10s,20s) [20s,30s) ...        one window per event
 *  sliding(10s, 5s)        [0,10s) [5s,15s) [10s,20s) ...         size/slide windows per event
 *  session(3s)             [t, t+3s) per event, merged while they overlap or touch
 * </pre>
 *
 * <p>As a rule's JSON config (see {@link #fromConfig}): {@code {"type": "tumbling", "size":
 * "10s"}}, {@code {"type": "sliding", "size": "10s", "slide": "5s"}}, {@code {"type": "session",
 * "gap": "3s"}}; tumbling and sliding windows take an optional {@code "offset"}.
 *
 * <p>Immutable.
 */
public final class WindowAssigner {

    /** The three kinds of windows. */
    public enum Type {
        /** Fixed-size, non-overlapping windows ({@code TumblingEventTimeWindows}). */
        TUMBLING,
        /** Fixed-size windows that start every {@code slide} ({@code SlidingEventTimeWindows}). */
        SLIDING,
        /**
         * Windows of activity separated by a gap of at least {@code gap} ({@code
         * EventTimeSessionWindows}).
         */
        SESSION
    }

    /** Flink's {@code SlidingEventTimeWindows.MAX_WINDOW_NUM}: windows one event may belong to. */
    private static final long MAX_SLIDING_WINDOWS = 10_000_000;

    private final Type type;
    private final long size;
    private final long slide;
    private final long offset;

    private WindowAssigner(Type type, long size, long slide, long offset) {
        this.type = type;
        this.size = size;
        this.slide = slide;
        this.offset = offset;
    }

    /** Tumbling windows of {@code size}, aligned to the epoch. */
    public static WindowAssigner tumbling(Duration size) {
        return tumbling(size, Duration.ZERO);
    }

    /**
     * Tumbling windows of {@code size} whose starts are shifted by {@code offset} from the epoch,
     * e.g. {@code tumbling(1d, -8h)} for days in UTC+8.
     *
     * @throws IllegalArgumentException unless size > 0 and |offset| < size (Flink's rule)
     */
    public static WindowAssigner tumbling(Duration size, Duration offset) {
        long s = millis(size, "size");
        long o = millis(offset, "offset");
        if (s <= 0 || Math.abs(o) >= s) {
            throw new IllegalArgumentException(
                    "tumbling windows need size > 0 and |offset| < size, not size "
                            + Durations.format(size)
                            + ", offset "
                            + Durations.format(offset));
        }
        return new WindowAssigner(Type.TUMBLING, s, s, o);
    }

    /** Sliding windows of {@code size} starting every {@code slide}, aligned to the epoch. */
    public static WindowAssigner sliding(Duration size, Duration slide) {
        return sliding(size, slide, Duration.ZERO);
    }

    /**
     * Sliding windows of {@code size} starting every {@code slide}, shifted by {@code offset}.
     *
     * @throws IllegalArgumentException unless size > 0, slide > 0, |offset| < slide and size /
     *     slide <= 10,000,000 (Flink's rules)
     */
    public static WindowAssigner sliding(Duration size, Duration slide, Duration offset) {
        long s = millis(size, "size");
        long sl = millis(slide, "slide");
        long o = millis(offset, "offset");
        if (s <= 0 || sl <= 0 || Math.abs(o) >= sl) {
            throw new IllegalArgumentException(
                    "sliding windows need size > 0, slide > 0 and |offset| < slide, not size "
                            + Durations.format(size)
                            + ", slide "
                            + Durations.format(slide)
                            + ", offset "
                            + Durations.format(offset));
        }
        if (s / sl > MAX_SLIDING_WINDOWS) {
            throw new IllegalArgumentException(
                    "sliding windows need size / slide <= "
                            + MAX_SLIDING_WINDOWS
                            + ", not "
                            + Durations.format(size)
                            + " / "
                            + Durations.format(slide));
        }
        return new WindowAssigner(Type.SLIDING, s, sl, o);
    }

    /**
     * Session windows: each event opens {@code [time, time + gap)}; windows of one key that overlap
     * or touch merge into one.
     *
     * @throws IllegalArgumentException unless gap > 0
     */
    public static WindowAssigner session(Duration gap) {
        long g = millis(gap, "gap");
        if (g <= 0) {
            throw new IllegalArgumentException(
                    "session windows need a gap > 0, not " + Durations.format(gap));
        }
        return new WindowAssigner(Type.SESSION, g, 0, 0);
    }

    /**
     * Reads a window from a rule's config object, e.g. {@code config.getObject("window")}: {@code
     * type} ({@code tumbling}, {@code sliding}, {@code session}) and its durations.
     *
     * @throws RuleConfigException naming the field that is missing, mistyped or out of range
     */
    public static WindowAssigner fromConfig(RuleConfig window) {
        String type = window.requireString("type");
        try {
            switch (type) {
                case "tumbling":
                    return tumbling(
                            window.requireDuration("size"),
                            window.getDuration("offset", Duration.ZERO));
                case "sliding":
                    return sliding(
                            window.requireDuration("size"),
                            window.requireDuration("slide"),
                            window.getDuration("offset", Duration.ZERO));
                case "session":
                    return session(window.requireDuration("gap"));
                default:
                    throw new RuleConfigException(
                            "window type '" + type + "' is not one of tumbling, sliding, session");
            }
        } catch (IllegalArgumentException e) {
            throw new RuleConfigException("window config " + window + ": " + e.getMessage());
        }
    }

    private static long millis(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        return duration.toMillis();
    }

    /** Tumbling, sliding or session. */
    public Type type() {
        return type;
    }

    /** The window size in ms (tumbling, sliding), or the session gap in ms. */
    public long size() {
        return size;
    }

    /** How often a sliding window starts, in ms; the size for tumbling windows; 0 for sessions. */
    public long slide() {
        return slide;
    }

    /** The shift of window starts from the epoch, in ms (0 for sessions). */
    public long offset() {
        return offset;
    }

    /** The session gap in ms; the same as {@link #size()} for sessions. */
    public long gap() {
        return type == Type.SESSION ? size : 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WindowAssigner)) {
            return false;
        }
        WindowAssigner other = (WindowAssigner) o;
        return type == other.type
                && size == other.size
                && slide == other.slide
                && offset == other.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, size, slide, offset);
    }

    /** E.g. {@code tumbling(10s)}, {@code sliding(10s, 5s)}, {@code session(3s)}. */
    @Override
    public String toString() {
        String shift = offset == 0 ? "" : ", offset " + Durations.format(Duration.ofMillis(offset));
        switch (type) {
            case TUMBLING:
                return "tumbling(" + Durations.format(Duration.ofMillis(size)) + shift + ")";
            case SLIDING:
                return "sliding("
                        + Durations.format(Duration.ofMillis(size))
                        + ", "
                        + Durations.format(Duration.ofMillis(slide))
                        + shift
                        + ")";
            default:
                return "session(" + Durations.format(Duration.ofMillis(size)) + ")";
        }
    }
}
