package dev.flinksidecar.events;

import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.rule.Event;
import java.nio.charset.StandardCharsets;

/**
 * Events as JSON Lines, the project's readable event file format (README, "Files"):
 *
 * <pre>{"key":"card-0042","time":1767225600123,"type":"payment","amount":1250.50,"merchant":"acme"}
 * </pre>
 *
 * <p>{@code key} is a non-empty string; {@code time} is epoch milliseconds or an ISO-8601 instant
 * such as {@code "2026-01-01T00:00:00.250Z"}; {@code type} is an optional string. Every other field
 * is an attribute: a string, a number (LONG when written without fraction or exponent, DOUBLE
 * otherwise) or a boolean.
 */
public final class EventJson {

    private EventJson() {}

    /**
     * Parses one line; the exception's message says what is wrong with it. Files are read as bytes
     * instead ({@link EventFileReader}, {@link EventLineParser}): this is for a line at hand.
     */
    public static EventRecord parse(String line) throws MalformedEventException {
        Utf8.checkWhole(line, "the line");
        return new EventLineParser().parse(line.getBytes(StandardCharsets.UTF_8));
    }

    /** The event as one JSON line (without the line break): key, time, type if any, attributes. */
    public static String toJson(Event event) {
        StringBuilder out = new StringBuilder(64 + 24 * event.attributeCount());
        append(out, event);
        return out.toString();
    }

    /** Appends the event as a JSON object. */
    public static void append(StringBuilder out, Event event) {
        out.append('{');
        JsonWriter.name(out, "key");
        JsonWriter.string(out, event.key());
        out.append(",\"time\":").append(event.time());
        if (event.type() != null) {
            out.append(",\"type\":");
            JsonWriter.string(out, event.type());
        }
        JsonWriter.attributes(out, event);
        out.append('}');
    }
}
