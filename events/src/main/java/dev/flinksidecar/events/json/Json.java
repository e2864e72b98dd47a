package dev.flinksidecar.events.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for rule configs and self-test expectations, with no
 * dependency: it runs while the sidecar loads its rules, before it is ready, where each library
 * loaded costs start time. Event lines have their own reader, {@code EventLineParser}.
 *
 * <p>Values come back as {@link Map} (insertion ordered) of String to value, {@link List}, {@link
 * String}, {@link Long} (a number token without fraction or exponent that fits), {@link Double}
 * (any other number) , {@link Boolean} or null. Text nested deeper than {@link #MAX_DEPTH} is
 * refused with a {@link JsonException}, before the reader's recursion could exhaust the stack.
 */
public final class Json {

    /**
     * The deepest nesting of arrays and objects read; deeper text is refused, never a
     * StackOverflowError.
     */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value that must span the whole text (surrounding white space allowed). */
    public static Object parse(String text) throws JsonException {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value();
        json.skipSpace();
        if (json.pos < text.length()) {
            throw json.error("unexpected text after the value");
        }
        return value;
    }

    /** Parses a JSON object; anything else is an error naming what was found. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) throws JsonException {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new JsonException("expected a JSON object but found " + kind(value));
        }
        return (Map<String, Object>) value;
    }

    /** A word for the kind of a parsed value, for messages: "a string", "an array", ... */
    public static String kind(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof String) {
            return "a string";
        } else if (value instanceof Map) {
            return "an object";
        } else if (value instanceof List) {
            return "an array";
        } else if (value instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    private Object value() throws JsonException {
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object() throws JsonException {
        Map<String, Object> map = new LinkedHashMap<>();
        enter();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a field name in quotes");
            }
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (map.containsKey(name)) {
                throw error("duplicate field '" + name + "'");
            }
            map.put(name, value());
            skipSpace();
            char c = next();
            if (c == '}') {
                depth--;
                return map;
            } else if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() throws JsonException {
        List<Object> list = new ArrayList<>();
        enter();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value());
            skipSpace();
            char c = next();
            if (c == ']') {
                depth--;
                return list;
            } else if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws JsonException {
        pos++;
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                return text.substring(start, pos++);
            } else if (c == '\\') {
                return escapedString(start);
            } else if (c < 0x20) {
                throw error("control character in a string");
            }
            pos++;
        }
        throw error("unterminated string");
    }

    private String escapedString(int start) throws JsonException {
        StringBuilder out = new StringBuilder(text.substring(start, pos));
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            } else if (c < 0x20) {
                pos--;
                throw error("control character in a string");
            } else if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out.append(e);
                    break;
                case 'b':
                    out.append('\b');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'u':
                    if (pos + 4 > text.length()) {
                        throw error("incomplete \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                    break;
                default:
                    pos--;
                    throw error("bad escape '\\" + e + "'");
            }
        }
        throw error("unterminated string");
    }

    private Object number() throws JsonException {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') {
            pos++;
        }
        if (!digits()) {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!digits()) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("expected a digit in the exponent");
            }
        }
        String token = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException tooLarge) {
                return Double.parseDouble(token);
            }
        }
        return Double.parseDouble(token);
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Object literal(String word, Object value) throws JsonException {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected text");
        }
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() throws JsonException {
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        return text.charAt(pos++);
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void enter() throws JsonException {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private JsonException error(String what) {
        return new JsonException("not valid JSON: " + what + " at column " + (pos + 1));
    }
}
