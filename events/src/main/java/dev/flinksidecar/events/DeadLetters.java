package dev.flinksidecar.events;

import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.rule.Event;

/**
 * Dead-letter lines: input that could not be handled, with the reason, as JSON Lines in the job's
 * {@code DIR/dead-letters/} and {@code replay --dead-letter-output}.
 *
 * <pre>
 * {"file":"payments.jsonl","line":57,"reason":"missing field 'key'","raw":"{\"time\":1}"}
 * {"rule":"threshold","version":"1.0.0","reason":"java.lang.IllegalStateException: ...","event":{...}}
 * </pre>
 */
public final class DeadLetters {

    private DeadLetters() {}

    /** An input record that is not an event. {@code raw} may be null (binary input). */
    public static String malformed(String file, long line, String reason, String raw) {
        StringBuilder out = new StringBuilder(96 + (raw == null ? 0 : raw.length()));
        out.append("{\"file\":");
        JsonWriter.string(out, file);
        out.append(",\"line\":").append(line).append(",\"reason\":");
        JsonWriter.string(out, reason);
        if (raw != null) {
            out.append(",\"raw\":");
            JsonWriter.string(out, raw);
        }
        return out.append('}').toString();
    }

    /** An event that a rule failed on. */
    public static String ruleFailure(String rule, String version, String reason, Event event) {
        StringBuilder out = new StringBuilder(160);
        out.append("{\"rule\":");
        JsonWriter.string(out, rule);
        out.append(",\"version\":");
        JsonWriter.string(out, version);
        out.append(",\"reason\":");
        JsonWriter.string(out, reason);
        out.append(",\"event\":");
        EventJson.append(out, event);
        return out.append('}').toString();
    }
}
