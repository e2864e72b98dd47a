package dev.flinksidecar.events;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.rule.Event;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Events as JSON Lines, the project's readable event file format (DESIGN.md "Files"):
 *
 * <pre>{"key":"card-0042","time":1767225600123,"type":"payment","amount":1250.50,"merchant":"acme"}</pre>
 *
 * <p>{@code key} is a non-empty string; {@code time} is epoch milliseconds or an ISO-8601
 * instant such as {@code "2026-01-01T00:00:00.250Z"}; {@code type} is an optional string. Every
 * other field is an attribute: a string, a number (LONG when written without fraction or
 * exponent, DOUBLE otherwise) or a boolean.
 */
public final class EventJson {

    private EventJson() {}

    /** Parses one line; the exception's message says what is wrong with it. */
    public static EventRecord parse(String line) throws MalformedEventException {
        Map<String, Object> fields;
        try {
            fields = Json.parseObject(line);
        } catch (JsonException e) {
            throw new MalformedEventException(e.getMessage());
        }
        Object key = fields.get("key");
        if (!(key instanceof String) || ((String) key).isEmpty()) {
            throw new MalformedEventException(key == null
                    ? "missing field 'key'"
                    : "field 'key' must be a non-empty string, found " + Json.kind(key));
        }
        EventRecord.Builder event = EventRecord.builder((String) key, time(fields.get("time")));
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String name = field.getKey();
            Object value = field.getValue();
            if (name.equals("key") || name.equals("time")) {
                continue;
            } else if (name.equals("type")) {
                if (value != null && !(value instanceof String)) {
                    throw new MalformedEventException("field 'type' must be a string, found " + Json.kind(value));
                }
                event.type((String) value);
            } else if (value instanceof String) {
                event.set(name, (String) value);
            } else if (value instanceof Long) {
                event.set(name, (long) (Long) value);
            } else if (value instanceof Double) {
                event.set(name, (double) (Double) value);
            } else if (value instanceof Boolean) {
                event.set(name, (boolean) (Boolean) value);
            } else {
                throw new MalformedEventException("field '" + name + "' is " + Json.kind(value)
                        + "; attributes must be strings, numbers or booleans");
            }
        }
        return event.build();
    }

    private static long time(Object value) throws MalformedEventException {
        if (value instanceof Long) {
            return (Long) value;
        } else if (value instanceof String) {
            String text = (String) value;
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException notAnInstant) {
                try {
                    return OffsetDateTime.parse(text).toInstant().toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new MalformedEventException(
                            "field 'time' is not an ISO-8601 instant or epoch milliseconds: \"" + text + "\"");
                }
            }
        } else if (value == null) {
            throw new MalformedEventException("missing field 'time'");
        }
        throw new MalformedEventException(
                "field 'time' must be epoch milliseconds or an ISO-8601 instant, found " + Json.kind(value));
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
