package dev.flinksidecar.bench.json;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.MalformedEventException;
import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The baseline: event lines as they were read before jackson-core, kept here to measure against.
 * Lines decoded to {@code String} by a {@code BufferedReader}, each parsed by the project's
 * hand-written tree reader ({@link Json}) into a map of boxed values, then copied into an {@link
 * EventRecord}. Same semantics as the event reader for well-formed lines.
 */
public final class HandWrittenEventLines {

    private HandWrittenEventLines() {}

    /** Reads every line of {@code file}; returns the number of malformed lines. */
    public static int read(byte[] file, Consumer<EventRecord> events) throws IOException {
        int malformed = 0;
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(
                                new ByteArrayInputStream(file), StandardCharsets.UTF_8),
                        1 << 16)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    events.accept(parse(line));
                } catch (MalformedEventException e) {
                    malformed++;
                }
            }
        }
        return malformed;
    }

    static EventRecord parse(String line) throws MalformedEventException {
        Map<String, Object> fields;
        try {
            fields = Json.parseObject(line);
        } catch (JsonException e) {
            throw new MalformedEventException(e.getMessage());
        }
        Object key = fields.get("key");
        if (!(key instanceof String) || ((String) key).isEmpty()) {
            throw new MalformedEventException("bad key");
        }
        EventRecord.Builder event = EventRecord.builder((String) key, time(fields.get("time")));
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String name = field.getKey();
            Object value = field.getValue();
            if (name.equals("key") || name.equals("time")) {
                continue;
            } else if (name.equals("type")) {
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
                throw new MalformedEventException("bad attribute");
            }
        }
        return event.build();
    }

    private static long time(Object value) throws MalformedEventException {
        if (value instanceof Long) {
            return (Long) value;
        } else if (value instanceof String) {
            try {
                return Instant.parse((String) value).toEpochMilli();
            } catch (DateTimeParseException notAnInstant) {
                try {
                    return OffsetDateTime.parse((String) value).toInstant().toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new MalformedEventException("bad time");
                }
            }
        }
        throw new MalformedEventException("bad time");
    }
}
