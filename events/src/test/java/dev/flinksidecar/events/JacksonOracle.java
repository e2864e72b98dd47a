package dev.flinksidecar.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The event a line holds by jackson-core's reading of JSON and the event format's rules, written
 * the plain way: what {@link EventLineParser} is checked against. Null when the line is not JSON or
 * not an event; lines with half surrogate pairs or bytes that are not UTF-8 are left out of the
 * comparisons (jackson lets some through, the event reader refuses them).
 */
final class JacksonOracle {

    private static final JsonFactory FACTORY =
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JacksonOracle() {}

    static EventRecord event(byte[] line) {
        try (JsonParser parser = FACTORY.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String key = null;
            Long time = null;
            String type = null;
            EventRecord.Builder attributes = EventRecord.builder("-", 0);
            boolean bad = false;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                token = parser.nextToken();
                if (name.equals("key")) {
                    key = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                } else if (name.equals("time")) {
                    time = time(parser, token);
                } else if (name.equals("type")) {
                    bad |= token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NULL;
                    type = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                } else if (token == JsonToken.VALUE_STRING) {
                    attributes.set(name, parser.getText());
                } else if (token == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    attributes.set(name, parser.getLongValue());
                } else if (token == JsonToken.VALUE_NUMBER_INT
                        || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    attributes.set(name, Double.parseDouble(parser.getText()));
                } else if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                    attributes.set(name, token == JsonToken.VALUE_TRUE);
                } else {
                    bad = true;
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null || bad || key == null || key.isEmpty() || time == null) {
                return null;
            }
            EventRecord a = attributes.build();
            return new EventRecord(
                    key, time, type, a.names(), a.types(), a.numbers(), a.strings(), null);
        } catch (IOException e) {
            return null;
        }
    }

    private static Long time(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT
                && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        } else if (token == JsonToken.VALUE_STRING) {
            try {
                return Instant.parse(parser.getText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(parser.getText()).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    return null;
                }
            }
        }
        parser.skipChildren();
        return null;
    }
}
