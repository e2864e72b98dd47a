package dev.flinksidecar.events;

import dev.flinksidecar.rule.AttributeType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Parses one event line ({@link EventJson} describes the format) from its UTF-8 bytes straight
 * into an {@link EventRecord}: strict JSON (RFC 8259) for the one flat object an event line is,
 * without decoding the line to a {@code String}, without a tree, without boxing.
 *
 * <p>Why by hand, with jackson-core at hand: an event line is a few hundred bytes, and a streaming
 * library pays for a new parser per line (jackson-core: about 140 ns of a line's ~500 ns before
 * any token) and for its generality. Here field names come from a small cache, ASCII strings are
 * copied without decoding, decimals like {@code 63.46} are computed exactly without
 * {@code Double.parseDouble}, and records of the same schema share their name and type arrays.
 * Measured with {@code bench}'s {@code EventLinesBenchmark} on {@code testdata/payments.jsonl}:
 * see the figures and command in BENCHMARKS.md (event-file reading); the bytes allocated per event,
 * which follow from these choices, are guarded by {@code EventLineParserTest}.
 *
 * <p>Every line that is not an event gives a {@link MalformedEventException} with the reason,
 * never another exception: bytes that are not UTF-8 (checked strictly by the JDK's decoder: no
 * overlong forms, no encoded surrogates), a {@code \}{@code u} escape that leaves half a surrogate
 * pair (no UTF-8 output could carry it), text that is not JSON, a duplicate field, nesting deeper
 * than {@link #MAX_NESTING_DEPTH}. An event line is flat, so any nested value is a reason already;
 * it is skipped without recursion, so a line nested 100,000 levels deep costs no stack, and is
 * refused at level {@value #MAX_NESTING_DEPTH}.
 *
 * <p>Not thread-safe: one per reader.
 */
public final class EventLineParser {

    /** The deepest nesting of arrays and objects looked into before a line is refused. */
    public static final int MAX_NESTING_DEPTH = 64;

    /** Above this many attributes, duplicate names are found with a hash set, not by scanning. */
    private static final int SCAN_LIMIT = 16;

    /** Powers of ten that a double holds exactly: the fast, exact path for short decimals. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

    private final Utf8 utf8 = new Utf8();
    private final StringCache cache = new StringCache();

    // The line being parsed: bytes[pos, end), whose column 1 is at lineStart.
    private byte[] bytes;
    private int pos;
    private int end;
    private int lineStart;
    private boolean utf8Checked;

    // Its fields.
    private String[] names = new String[8];
    private AttributeType[] types = new AttributeType[8];
    private long[] numbers = new long[8];
    private String[] strings = new String[8];
    private int count;
    private final Set<String> seen = new HashSet<>();
    private String key;
    private String keyKind; // what 'key' held when not a string
    private boolean keySeen;
    private String timeKind; // what 'time' held when not an integer or a string; null: absent
    private boolean timeSeen;
    private boolean timeIsLong;
    private long timeMillis;
    private String timeText;
    private String type;
    private boolean typeSeen;
    private String deferred; // the first attribute or type problem, reported after key and time

    // The number just read.
    private boolean integral;
    private long longValue;
    private double doubleValue;

    // The previous event's attribute names and types, given to the next one of the same schema.
    private String[] sharedNames = new String[0];
    private AttributeType[] sharedTypes = new AttributeType[0];

    /** Parses the whole of {@code line} (UTF-8) as one event. */
    public EventRecord parse(byte[] line) throws MalformedEventException {
        return parse(line, 0, line.length);
    }

    /**
     * Parses {@code length} bytes of {@code bytes} from {@code offset} (UTF-8, no line break) as
     * one event. The bytes are not kept.
     *
     * @throws MalformedEventException saying what is wrong with the line
     */
    public EventRecord parse(byte[] bytes, int offset, int length) throws MalformedEventException {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
        this.lineStart = offset;
        this.utf8Checked = false;
        reset();
        try {
            object();
            return build();
        } finally {
            this.bytes = null;
        }
    }

    private void object() throws MalformedEventException {
        skipSpace();
        if (pos >= end) {
            throw error("no value");
        }
        if (bytes[pos] != '{') {
            String kind = kindAt();
            if (kind == null) {
                throw unexpected();
            }
            skipValue(); // valid JSON of another kind, or the reason it is not JSON
            skipSpace();
            if (pos < end) {
                throw error("unexpected text after the value");
            }
            throw new MalformedEventException("expected a JSON object but found " + kind);
        }
        pos++;
        skipSpace();
        if (pos < end && bytes[pos] == '}') {
            pos++;
        } else {
            while (true) {
                skipSpace();
                if (pos >= end || bytes[pos] != '"') {
                    throw error("expected a field name in quotes");
                }
                int nameAt = pos;
                String name = string();
                skipSpace();
                if (pos >= end || bytes[pos] != ':') {
                    throw error("expected ':'");
                }
                pos++;
                skipSpace();
                field(name, nameAt);
                skipSpace();
                if (pos >= end) {
                    throw error("unexpected end of text");
                }
                byte c = bytes[pos++];
                if (c == '}') {
                    break;
                } else if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }
        skipSpace();
        if (pos < end) {
            throw error("unexpected text after the value");
        }
    }

    private void field(String name, int at) throws MalformedEventException {
        int length = name.length(); // most names are none of the three: one look at the length tells
        if (length == 3 && name.equals("key")) {
            duplicate(keySeen, name, at);
            keySeen = true;
            if (peek() == '"') {
                key = string();
            } else {
                keyKind = kindOfValue();
                skipValue();
            }
        } else if (length == 4 && name.equals("time")) {
            duplicate(timeSeen, name, at);
            timeSeen = true;
            byte c = peek();
            if (c == '"') {
                timeText = string();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                number();
                timeIsLong = integral;
                timeMillis = longValue;
                timeKind = "a number";
            } else {
                timeKind = kindOfValue();
                skipValue();
            }
        } else if (length == 4 && name.equals("type")) {
            duplicate(typeSeen, name, at);
            typeSeen = true;
            byte c = peek();
            if (c == '"') {
                type = string();
            } else if (c == 'n') {
                literal("null");
            } else {
                defer("field 'type' must be a string, found " + kindOfValue());
                skipValue();
            }
        } else {
            attribute(name, at);
        }
    }

    private void attribute(String name, int at) throws MalformedEventException {
        int i = slot(name, at);
        byte c = peek();
        if (c == '"') {
            types[i] = AttributeType.STRING;
            strings[i] = string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            number();
            types[i] = integral ? AttributeType.LONG : AttributeType.DOUBLE;
            numbers[i] = integral ? longValue : Double.doubleToRawLongBits(doubleValue);
        } else if (c == 't') {
            literal("true");
            types[i] = AttributeType.BOOLEAN;
            numbers[i] = 1;
        } else if (c == 'f') {
            literal("false");
            types[i] = AttributeType.BOOLEAN;
        } else {
            types[i] = AttributeType.BOOLEAN; // a placeholder: the line is refused
            defer("field '" + name + "' is " + kindOfValue() + "; attributes must be strings, numbers or booleans");
            skipValue();
        }
    }

    /** The next attribute slot for {@code name}, refusing a name given twice. */
    private int slot(String name, int at) throws MalformedEventException {
        if (count < SCAN_LIMIT) {
            int hash = name.hashCode(); // kept in the string: names from the cache pay for it once
            for (int i = 0; i < count; i++) {
                if (names[i].hashCode() == hash && names[i].equals(name)) {
                    duplicate(true, name, at);
                }
            }
        } else {
            if (count == SCAN_LIMIT) {
                seen.addAll(Arrays.asList(names).subList(0, count));
            }
            duplicate(!seen.add(name), name, at);
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
            throw new MalformedEventException(!keySeen || "null".equals(keyKind)
                    ? "missing field 'key'"
                    : "field 'key' must be a non-empty string, found " + (key != null ? "an empty string" : keyKind));
        }
        long time = time();
        if (deferred != null) {
            throw new MalformedEventException(deferred);
        }
        String[] eventNames = sharedNames;
        AttributeType[] eventTypes = sharedTypes;
        if (!sameSchema()) {
            eventNames = Arrays.copyOf(names, count);
            eventTypes = Arrays.copyOf(types, count);
            sharedNames = eventNames;
            sharedTypes = eventTypes;
        }
        return new EventRecord(key, time, type, eventNames, eventTypes, Arrays.copyOf(numbers, count), Arrays.copyOf(strings, count),
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
        } else if (timeText != null) {
            try {
                return Instant.parse(timeText).toEpochMilli();
            } catch (DateTimeParseException notAnInstant) {
                try {
                    return OffsetDateTime.parse(timeText).toInstant().toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new MalformedEventException(
                            "field 'time' is not an ISO-8601 instant or epoch milliseconds: \"" + timeText + "\"");
                }
            }
        } else if (!timeSeen || "null".equals(timeKind)) {
            throw new MalformedEventException("missing field 'time'");
        }
        throw new MalformedEventException("field 'time' must be epoch milliseconds or an ISO-8601 instant, found " + timeKind);
    }

    private void reset() {
        count = 0;
        seen.clear();
        key = null;
        keyKind = null;
        keySeen = false;
        timeKind = null;
        timeSeen = false;
        timeIsLong = false;
        timeText = null;
        type = null;
        typeSeen = false;
        deferred = null;
    }

    // ---- JSON tokens ----

    /** A string value; {@code pos} is at its opening quote. Short plain ASCII ones come from the cache. */
    private String string() throws MalformedEventException {
        int start = ++pos;
        while (pos < end) {
            byte c = bytes[pos];
            if (c == '"') {
                return cache.get(bytes, start, pos++ - start);
            } else if (c == '\\' || c < 0x20) { // an escape, a control character, or a byte >= 0x80
                return escapedString(start);
            }
            pos++;
        }
        throw error("unterminated string");
    }

    /** The rest of a string with escapes or bytes past ASCII, from {@code pos}; it began at {@code start}. */
    private String escapedString(int start) throws MalformedEventException {
        StringBuilder out = new StringBuilder(pos - start + 16);
        int run = start; // raw bytes not yet appended start here
        while (pos < end) {
            byte c = bytes[pos];
            if (c == '"') {
                appendRun(out, run, pos);
                pos++;
                return out.toString();
            } else if (c == '\\') {
                appendRun(out, run, pos);
                escape(out);
                run = pos;
            } else if (c >= 0 && c < 0x20) {
                throw error("control character in a string");
            } else {
                pos++;
            }
        }
        throw error("unterminated string");
    }

    private void appendRun(StringBuilder out, int from, int to) throws MalformedEventException {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                checkUtf8();
                out.append(new String(bytes, from, to - from, StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = from; i < to; i++) {
            out.append((char) bytes[i]);
        }
    }

    /** One escape sequence at {@code pos}, appended to {@code out}. */
    private void escape(StringBuilder out) throws MalformedEventException {
        pos++;
        if (pos >= end) {
            throw error("unterminated string");
        }
        byte e = bytes[pos++];
        switch (e) {
            case '"': case '\\': case '/':
                out.append((char) e);
                return;
            case 'b':
                out.append('\b');
                return;
            case 'f':
                out.append('\f');
                return;
            case 'n':
                out.append('\n');
                return;
            case 'r':
                out.append('\r');
                return;
            case 't':
                out.append('\t');
                return;
            case 'u':
                char c = hex4();
                if (Character.isHighSurrogate(c)) {
                    if (pos + 1 < end && bytes[pos] == '\\' && bytes[pos + 1] == 'u') {
                        pos += 2;
                        char low = hex4();
                        if (Character.isLowSurrogate(low)) {
                            out.append(c).append(low);
                            return;
                        }
                        pos -= 6;
                    }
                    throw halfSurrogate(c);
                } else if (Character.isLowSurrogate(c)) {
                    throw halfSurrogate(c);
                }
                out.append(c);
                return;
            default:
                pos--;
                throw error("bad escape '\\" + (e >= 0x20 && e < 0x7F ? String.valueOf((char) e) : String.format("x%02X", e & 0xFF)) + "'");
        }
    }

    private MalformedEventException halfSurrogate(char c) throws MalformedEventException {
        pos -= 6;
        return error(String.format("\\u%04x is half a surrogate pair, which is no Unicode text", (int) c));
    }

    private char hex4() throws MalformedEventException {
        if (pos + 4 > end) {
            throw error("incomplete \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(bytes[pos + i], 16);
            if (digit < 0) {
                throw error("bad \\u escape");
            }
            value = value << 4 | digit;
        }
        pos += 4;
        return (char) value;
    }

    /**
     * A number at {@code pos}: {@link #integral} and {@link #longValue} when it has no fraction
     * nor exponent and fits a long, else {@link #doubleValue}, exactly as {@code Double.parseDouble}.
     */
    private void number() throws MalformedEventException {
        int start = pos;
        boolean negative = bytes[pos] == '-';
        if (negative) {
            pos++;
        }
        long mantissa = 0;
        int digits = 0; // significant digits in the mantissa
        int exponent = 0; // the power of ten the mantissa is multiplied by
        boolean exact = true; // the mantissa holds every digit
        int first = pos;
        if (pos + 1 < end && bytes[pos] == '0' && bytes[pos + 1] >= '0' && bytes[pos + 1] <= '9') {
            throw error("a number with a leading zero");
        }
        while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') {
            int d = bytes[pos++] - '0';
            if (digits < 18) {
                mantissa = mantissa * 10 + d;
                digits += mantissa == 0 ? 0 : 1;
            } else {
                exact = false;
            }
        }
        if (pos == first) {
            throw error("expected a digit");
        }
        boolean fraction = pos < end && bytes[pos] == '.';
        if (fraction) {
            pos++;
            int fractionStart = pos;
            while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') {
                int d = bytes[pos++] - '0';
                if (digits < 18) {
                    mantissa = mantissa * 10 + d;
                    digits += mantissa == 0 ? 0 : 1;
                    exponent--;
                } else {
                    exact = false;
                }
            }
            if (pos == fractionStart) {
                throw error("expected a digit after '.'");
            }
        }
        boolean scientific = pos < end && (bytes[pos] == 'e' || bytes[pos] == 'E');
        if (scientific) {
            pos++;
            boolean negativeExponent = pos < end && bytes[pos] == '-';
            if (pos < end && (bytes[pos] == '+' || bytes[pos] == '-')) {
                pos++;
            }
            int exponentStart = pos;
            int value = 0;
            while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') {
                value = Math.min(value * 10 + bytes[pos++] - '0', 100_000);
            }
            if (pos == exponentStart) {
                throw error("expected a digit in the exponent");
            }
            exponent += negativeExponent ? -value : value;
        }
        integral = !fraction && !scientific && exact;
        if (integral) {
            longValue = negative ? -mantissa : mantissa;
            return;
        }
        String token = new String(bytes, start, pos - start, StandardCharsets.ISO_8859_1);
        if (!fraction && !scientific) {
            try {
                longValue = Long.parseLong(token);
                integral = true;
                return;
            } catch (NumberFormatException tooLarge) {
                doubleValue = Double.parseDouble(token); // as before: an integer past a long is a double
                return;
            }
        }
        if (exact && mantissa < (1L << 53) && exponent >= -22 && exponent <= 22) {
            // Both mantissa and power are exact doubles: one rounding, as Double.parseDouble's.
            double value = exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent] : mantissa * POWERS_OF_TEN[exponent];
            doubleValue = negative ? -value : value;
        } else {
            doubleValue = Double.parseDouble(token);
        }
    }

    /** {@code word} at {@code pos}, else the first byte where it is not. */
    private void literal(String word) throws MalformedEventException {
        for (int i = 0, n = word.length(); i < n; i++, pos++) {
            if (pos >= end || bytes[pos] != word.charAt(i)) {
                throw unexpected();
            }
        }
    }

    /**
     * Skips one value of any kind, checking it is JSON; arrays and objects without recursion,
     * refused past {@link #MAX_NESTING_DEPTH} levels.
     */
    private void skipValue() throws MalformedEventException {
        int depth = 0;
        long closers = 0; // bit i: level i+1 is an object (1) or an array (0); 64 levels fit
        while (true) {
            skipSpace();
            if (pos >= end) {
                throw error("unexpected end of text");
            }
            byte c = bytes[pos];
            boolean container = c == '{' || c == '[';
            if (container) {
                if (depth == MAX_NESTING_DEPTH) {
                    throw error("nested deeper than " + MAX_NESTING_DEPTH + " levels");
                }
                closers = c == '{' ? closers | (1L << depth) : closers & ~(1L << depth);
                depth++;
                pos++;
                skipSpace();
                if (pos < end && bytes[pos] == (c == '{' ? '}' : ']')) {
                    pos++;
                    depth--;
                } else {
                    if (c == '{') {
                        memberName();
                    }
                    continue;
                }
            } else {
                scalar();
            }
            // After a value: close levels, or go on to the next element.
            while (true) {
                if (depth == 0) {
                    return;
                }
                skipSpace();
                boolean object = (closers & (1L << (depth - 1))) != 0;
                if (pos < end && bytes[pos] == ',') {
                    pos++;
                    if (object) {
                        skipSpace();
                        memberName();
                    }
                    break;
                } else if (pos < end && bytes[pos] == (object ? '}' : ']')) {
                    pos++;
                    depth--;
                } else {
                    throw error(object ? "expected ',' or '}'" : "expected ',' or ']'");
                }
            }
        }
    }

    /** A member's name and colon inside a skipped object. */
    private void memberName() throws MalformedEventException {
        if (pos >= end || bytes[pos] != '"') {
            throw error("expected a field name in quotes");
        }
        string();
        skipSpace();
        if (pos >= end || bytes[pos] != ':') {
            throw error("expected ':'");
        }
        pos++;
    }

    /** A string, number or literal, checked and dropped. */
    private void scalar() throws MalformedEventException {
        byte c = bytes[pos];
        if (c == '"') {
            string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            number();
        } else if (c == 't') {
            literal("true");
        } else if (c == 'f') {
            literal("false");
        } else if (c == 'n') {
            literal("null");
        } else {
            throw unexpected();
        }
    }

    /** What the value at {@code pos} is, for messages; null when no value starts there. */
    private String kindAt() {
        byte c = bytes[pos];
        switch (c) {
            case '{':
                return "an object";
            case '[':
                return "an array";
            case '"':
                return "a string";
            case 't':
            case 'f':
                return "a boolean";
            case 'n':
                return "null";
            default:
                return c == '-' || (c >= '0' && c <= '9') ? "a number" : null;
        }
    }

    private String kindOfValue() throws MalformedEventException {
        if (pos >= end) {
            throw error("unexpected end of text");
        }
        String kind = kindAt();
        if (kind == null) {
            throw unexpected();
        }
        return kind;
    }

    private byte peek() throws MalformedEventException {
        if (pos >= end) {
            throw error("unexpected end of text");
        }
        return bytes[pos];
    }

    private void skipSpace() {
        while (pos < end) {
            byte c = bytes[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private void defer(String reason) {
        if (deferred == null) {
            deferred = reason;
        }
    }

    private void duplicate(boolean twice, String name, int at) throws MalformedEventException {
        if (twice) {
            pos = at;
            throw error("duplicate field '" + name + "'");
        }
    }

    /** The whole line is checked once it has a byte past ASCII: the reason names the bad byte. */
    private void checkUtf8() throws MalformedEventException {
        if (!utf8Checked) {
            utf8.check(bytes, lineStart, end - lineStart);
            utf8Checked = true;
        }
    }

    /** An unexpected byte at {@code pos}, named as a character. */
    private MalformedEventException unexpected() throws MalformedEventException {
        if (pos >= end) {
            return error("unexpected end of text");
        }
        byte c = bytes[pos];
        if (c < 0) {
            checkUtf8(); // the line is UTF-8 when this returns: the bytes at pos are a character
            String rest = new String(bytes, pos, Math.min(4, end - pos), StandardCharsets.UTF_8);
            return error("unexpected character '" + new String(Character.toChars(rest.codePointAt(0))) + "'");
        }
        return error(c >= 0x20 && c < 0x7F ? "unexpected character '" + (char) c + "'" : String.format("unexpected byte 0x%02X", c));
    }

    /**
     * The line is not JSON: why, and where. A line that is not UTF-8 either is refused as such,
     * naming the first bad byte, so the reason does not depend on where the JSON went wrong.
     */
    private MalformedEventException error(String what) throws MalformedEventException {
        if (!utf8Checked) {
            for (int i = lineStart; i < end; i++) {
                if (bytes[i] < 0) {
                    checkUtf8();
                    break;
                }
            }
        }
        return new MalformedEventException("not valid JSON: " + what + " at column " + (pos - lineStart + 1));
    }
}
