package dev.flinksidecar.sidecar.diff;

import dev.flinksidecar.events.json.JsonWriter;
import java.util.Locale;

/**
 * One difference between the results of two rule sets: a result only the candidate made ({@link
 * Change#ADDED}), only the current made ({@link Change#REMOVED}), or both made with other
 * attributes ({@link Change#CHANGED}). Immutable.
 */
public final class Difference {

    /** What kind of difference it is; its name in lower case is the JSON {@code change}. */
    public enum Change {
        ADDED,
        REMOVED,
        CHANGED;

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Change change;
    private final ComparedResult current;
    private final ComparedResult candidate;

    private Difference(Change change, ComparedResult current, ComparedResult candidate) {
        this.change = change;
        this.current = current;
        this.candidate = candidate;
    }

    static Difference added(ComparedResult candidate) {
        return new Difference(Change.ADDED, null, candidate);
    }

    static Difference removed(ComparedResult current) {
        return new Difference(Change.REMOVED, current, null);
    }

    static Difference changed(ComparedResult current, ComparedResult candidate) {
        return new Difference(Change.CHANGED, current, candidate);
    }

    public Change change() {
        return change;
    }

    /** The result both (or the one) made it are about. */
    public ResultId id() {
        return current != null ? current.id() : candidate.id();
    }

    /** The current rule set's result; null when added. */
    public ComparedResult current() {
        return current;
    }

    /** The candidate rule set's result; null when removed. */
    public ComparedResult candidate() {
        return candidate;
    }

    /**
     * The difference as one JSON line (without line break), {@code current} and {@code candidate}
     * being the result lines as {@code replay} writes them:
     *
     * <pre>{@code
     * {"change":"changed","rule":"threshold","key":"card-7","time":1767225606101,"current":{...},"candidate":{...}}
     * {"change":"added","rule":"spend","key":"card-7","window_start":1767225600000,"window_end":1767225900000,"candidate":{...}}
     * }</pre>
     */
    public String json() {
        ResultId id = id();
        StringBuilder out = new StringBuilder(256);
        out.append("{\"change\":\"").append(change.jsonName()).append("\",\"rule\":");
        JsonWriter.string(out, id.rule());
        out.append(",\"key\":");
        JsonWriter.string(out, id.key());
        if (id.isWindow()) {
            out.append(",\"window_start\":").append(id.windowStart());
            out.append(",\"window_end\":").append(id.windowEnd());
        } else {
            out.append(",\"time\":").append(id.time());
        }
        if (current != null) {
            out.append(",\"current\":").append(current.json());
        }
        if (candidate != null) {
            out.append(",\"candidate\":").append(candidate.json());
        }
        return out.append('}').toString();
    }

    @Override
    public String toString() {
        return json();
    }
}
