package dev.flinksidecar.bench.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.IsoInstants;
import dev.flinksidecar.events.MalformedEventException;
import dev.flinksidecar.rule.AttributeType;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The jackson-core side of {@code EventLinesBenchmark}: one event line from its UTF-8 bytes into an
 * {@link EventRecord} with jackson-core's streaming parser, doing the work the event reader does
 * ({@code EventLineParser}): strict UTF-8 (the JDK's decoder on a line with bytes past ASCII), no
 * half surrogate pairs, a nesting limit ({@link StreamReadConstraints}), duplicate fields refused,
 * the same reasons in the same order, records of one schema sharing their name and type arrays. Not
 * thread-safe: one per reader.
 */
public final class JacksonEventLines {

    /**
     * The deepest nesting of arrays and objects read before a line is refused: a line nested deeper
     * (say 100,000 levels) costs no stack and no more than this many levels of work, and is a dead
     * letter whose reason says so.
     */
    public static final int MAX_NESTING_DEPTH = 64;

    /** Above this many attributes, duplicate names are found with a hash set, not by scanning. */
    private static final int SCAN_LIMIT = 16;

    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_NESTING_DEPTH)
                                    .build())
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .build();

    private String[] names = new String[8];
    private AttributeType[] types = new AttributeType[8];
    private long[] numbers = new long[8];
    private String[] strings = new String[8];
    private int count;
    private final Set<String> seen = new HashSet<>();
    private final StrictUtf8 utf8 = new StrictUtf8();
    private String[] sharedNames = new String[0];
    private AttributeType[] sharedTypes = new AttributeType[0];

    // The fields of the line being parsed.
    private String key;
    private Object keyKind; // what 'key' held when it is not a non-empty string: a JsonToken
    private boolean keySeen;
    private JsonToken timeToken; // null: no 'time' field
    private boolean timeIsLong;
    private long timeMillis;
    private String timeText;
    private String type;
    private boolean typeSeen;
    private String deferred; // the first attribute or type problem, reported after key and time

    /** Parses the whole of {@code line} (UTF-8) as one event. */
    public EventRecord parse(byte[] line) throws MalformedEventException {
        return parse(line, 0, line.length);
    }

    /**
     * Parses {@code length} bytes of {@code bytes} from {@code offset} (UTF-8, no line break) as
     * one event.
     *
     * @throws MalformedEventException saying what is wrong with the line
     */
    public EventRecord parse(byte[] bytes, int offset, int length) throws MalformedEventException {
        utf8.check(bytes, offset, length);
        // jackson guesses UTF-16 or UTF-32 when one of the first four bytes is 0; in UTF-8 JSON a
        // zero byte is never valid, so refuse it here and let jackson read UTF-8 only.
        for (int i = offset, end = offset + Math.min(4, length); i < end; i++) {
            if (bytes[i] == 0) {
                throw new MalformedEventException(
                        "not valid JSON: a zero byte at column " + (i - offset + 1));
            }
        }
        reset();
        try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
            return parse(parser);
        } catch (StreamConstraintsException e) {
            String message = e.getOriginalMessage();
            if (message != null && message.contains("nesting depth")) {
                throw new MalformedEventException(
                        "not valid JSON: nested deeper than "
                                + MAX_NESTING_DEPTH
                                + " levels"
                                + at(e.getLocation()));
            }
            throw new MalformedEventException("not valid JSON: " + message + at(e.getLocation()));
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(
                    "not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()));
        } catch (IOException | RuntimeException e) {
            // Neither is expected from bytes in memory; a line still must not stop the reading.
            throw new MalformedEventException("not valid JSON: " + e);
        }
    }

    private EventRecord parse(JsonParser parser) throws IOException, MalformedEventException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new MalformedEventException("not valid JSON: no value");
        }
        if (token != JsonToken.START_OBJECT) {
            throw new MalformedEventException("expected a JSON object but found " + kind(token));
        }
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            if (name.equals("key")) {
                duplicate(keySeen, name, parser);
                keySeen = true;
                if (token == JsonToken.VALUE_STRING) {
                    key = parser.getText();
                } else {
                    keyKind = token;
                    parser.skipChildren();
                }
            } else if (name.equals("time")) {
                duplicate(timeToken != null, name, parser);
                timeToken = token;
                if (token == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    timeIsLong = true;
                    timeMillis = parser.getLongValue();
                } else if (token == JsonToken.VALUE_STRING) {
                    timeText = parser.getText();
                } else {
                    parser.skipChildren();
                }
            } else if (name.equals("type")) {
                duplicate(typeSeen, name, parser);
                typeSeen = true;
                if (token == JsonToken.VALUE_STRING) {
                    type = parser.getText();
                } else if (token != JsonToken.VALUE_NULL) {
                    defer("field 'type' must be a string, found " + kind(token));
                    parser.skipChildren();
                }
            } else {
                attribute(name, token, parser);
            }
        }
        // Anything but the object's end made jackson throw already.
        if (parser.nextToken() != null) {
            throw new MalformedEventException(
                    "not valid JSON: unexpected text after the value"
                            + at(parser.currentTokenLocation()));
        }
        return build();
    }

    private void attribute(String name, JsonToken token, JsonParser parser)
            throws IOException, MalformedEventException {
        int i = slot(name, parser);
        switch (token) {
            case VALUE_STRING:
                types[i] = AttributeType.STRING;
                strings[i] = parser.getText();
                break;
            case VALUE_NUMBER_INT:
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    types[i] = AttributeType.DOUBLE; // too large for a long, as before: a double
                    numbers[i] = Double.doubleToRawLongBits(Double.parseDouble(parser.getText()));
                } else {
                    types[i] = AttributeType.LONG;
                    numbers[i] = parser.getLongValue();
                }
                break;
            case VALUE_NUMBER_FLOAT:
                types[i] = AttributeType.DOUBLE;
                numbers[i] = Double.doubleToRawLongBits(parser.getDoubleValue());
                break;
            case VALUE_TRUE:
            case VALUE_FALSE:
                types[i] = AttributeType.BOOLEAN;
                numbers[i] = token == JsonToken.VALUE_TRUE ? 1 : 0;
                break;
            default:
                defer(
                        "field '"
                                + name
                                + "' is "
                                + kind(token)
                                + "; attributes must be strings, numbers or booleans");
                types[i] = AttributeType.BOOLEAN; // a placeholder: the line is refused
                parser.skipChildren();
        }
    }

    /** The next attribute slot for {@code name}, refusing a name given twice. */
    private int slot(String name, JsonParser parser) throws MalformedEventException {
        if (count < SCAN_LIMIT) {
            for (int i = 0; i < count; i++) {
                if (names[i].equals(name)) {
                    duplicate(true, name, parser);
                }
            }
        } else {
            if (count == SCAN_LIMIT) {
                seen.addAll(Arrays.asList(names).subList(0, count));
            }
            duplicate(!seen.add(name), name, parser);
        }
        if (count == names.length) {
            int size = count * 2;
            names = Arrays.copyOf(names, size);
            types = Arrays.copyOf(types, size);
            numbers = Arrays.copyOf(numbers, size);
            strings = Arrays.copyOf(strings, size);
        }
        names[count] = name;
        strings[count] = null;
        numbers[count] = 0;
        return count++;
    }

    private EventRecord build() throws MalformedEventException {
        if (key == null || key.isEmpty()) {
            throw new MalformedEventException(
                    !keySeen || keyKind == JsonToken.VALUE_NULL
                            ? "missing field 'key'"
                            : "field 'key' must be a non-empty string, found "
                                    + (key != null
                                            ? "an empty string"
                                            : kind((JsonToken) keyKind)));
        }
        long time = time();
        if (deferred != null) {
            throw new MalformedEventException(deferred);
        }
        StrictUtf8.checkWhole(key, "field 'key'");
        if (type != null) {
            StrictUtf8.checkWhole(type, "field 'type'");
        }
        String[] eventNames = sharedNames;
        AttributeType[] eventTypes = sharedTypes;
        if (!sameSchema()) {
            for (int i = 0; i < count; i++) {
                StrictUtf8.checkWhole(names[i], "a field name");
            }
            eventNames = Arrays.copyOf(names, count);
            eventTypes = Arrays.copyOf(types, count);
            sharedNames = eventNames;
            sharedTypes = eventTypes;
        }
        String[] eventStrings = Arrays.copyOf(strings, count);
        for (int i = 0; i < count; i++) {
            if (eventStrings[i] != null) {
                StrictUtf8.checkWhole(eventStrings[i], "field '" + names[i] + "'");
            }
        }
        return new EventRecord(
                key,
                time,
                type,
                eventNames,
                eventTypes,
                Arrays.copyOf(numbers, count),
                eventStrings,
                null);
    }

    private boolean sameSchema() {
        if (sharedNames.length != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (types[i] != sharedTypes[i] || !names[i].equals(sharedNames[i])) {
                return false;
            }
        }
        return true;
    }

    private long time() throws MalformedEventException {
        if (timeIsLong) {
            return timeMillis;
        } else if (timeToken == JsonToken.VALUE_STRING) {
            Long millis =
                    IsoInstants.epochMillis(timeText); // the event reader's own, for the same work
            if (millis == null) {
                throw new MalformedEventException(
                        "field 'time' is not an ISO-8601 instant or epoch milliseconds: \""
                                + timeText
                                + "\"");
            }
            return millis;
        } else if (timeToken == null || timeToken == JsonToken.VALUE_NULL) {
            throw new MalformedEventException("missing field 'time'");
        }
        throw new MalformedEventException(
                "field 'time' must be epoch milliseconds or an ISO-8601 instant, found "
                        + kind(timeToken));
    }

    private void reset() {
        count = 0;
        seen.clear();
        key = null;
        keyKind = null;
        keySeen = false;
        timeToken = null;
        timeIsLong = false;
        timeMillis = 0;
        timeText = null;
        type = null;
        typeSeen = false;
        deferred = null;
    }

    private void defer(String reason) {
        if (deferred == null) {
            deferred = reason;
        }
    }

    private static void duplicate(boolean twice, String name, JsonParser parser)
            throws MalformedEventException {
        if (twice) {
            throw new MalformedEventException(
                    "not valid JSON: duplicate field '"
                            + name
                            + "'"
                            + at(parser.currentTokenLocation()));
        }
    }

    private static String at(JsonLocation location) {
        return location == null || location.getColumnNr() < 1
                ? ""
                : " at column " + location.getColumnNr();
    }

    /** A word for what a token starts, as {@code Json.kind} says it of a parsed value. */
    static String kind(JsonToken token) {
        switch (token) {
            case VALUE_STRING:
                return "a string";
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return "a number";
        }
    }
}
