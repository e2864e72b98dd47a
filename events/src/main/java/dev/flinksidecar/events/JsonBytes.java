package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;

/**
 * The JSON tokens of one event line, read from its UTF-8 bytes: strings (field names from a {@link
 * NameCache}), numbers, literals, and whole values skipped without recursion. Every problem is a
 * {@link MalformedEventException} saying what and at which column; a line that is not UTF-8 is
 * refused as such. The event-level rules are {@link EventLineParser}'s. One thread.
 */
final class JsonBytes {

    private final int maxDepth;
    private final Utf8 utf8 = new Utf8();
    private final NameCache nameCache = new NameCache();
    private final JsonNumbers numbers = new JsonNumbers();

    /** Short ASCII string values: 4096 of them, a few hundred KB when full. */
    private final NameCache valueCache = new NameCache(12);

    // The line: bytes[pos, end), whose column 1 is at lineStart.
    byte[] bytes;
    int pos;
    int end;
    private int lineStart;
    private boolean utf8Checked;

    /** The last {@link #name()} was plain ASCII, from the cache: no escape, no byte past ASCII. */
    boolean plainName;

    /**
     * The number last read: {@link #integral} and {@link #longValue}, else {@link #doubleValue}.
     */
    boolean integral;

    long longValue;
    double doubleValue;

    /**
     * @param maxDepth the deepest nesting {@link #skipValue} looks into, at most 64
     */
    JsonBytes(int maxDepth) {
        if (maxDepth < 1 || maxDepth > 64) {
            throw new IllegalArgumentException("maxDepth " + maxDepth + " is not in 1..64");
        }
        this.maxDepth = maxDepth;
    }

    /** Starts on a line; {@link #end()} lets go of its bytes. */
    void start(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
        this.lineStart = offset;
        this.utf8Checked = false;
    }

    void end() {
        bytes = null;
    }

    /** True when the next byte is {@code c}; consumed when it is. */
    boolean take(char c) {
        if (pos < end && bytes[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** True when the next byte is {@code c}. */
    boolean at(char c) {
        return pos < end && bytes[pos] == c;
    }

    boolean atEnd() {
        return pos >= end;
    }

    /**
     * The field name at {@code pos}, its opening quote: plain ASCII ones from the name cache,
     * others decoded. {@link #plainName} tells which.
     */
    String name() throws MalformedEventException {
        int start = pos + 1;
        int stop = Swar.stringStop(bytes, start, end);
        plainName = stop < end && bytes[stop] == '"';
        if (plainName) {
            pos = stop + 1;
            return nameCache.get(bytes, start, stop - start);
        }
        return rest(start, stop);
    }

    /**
     * A string value at {@code pos}, its opening quote: short plain ASCII ones from the value
     * cache, since keys, types and attribute values repeat from line to line.
     */
    String string() throws MalformedEventException {
        return string(true);
    }

    /**
     * Moves past the string at {@code pos}, its opening quote, when it is plain ASCII and returns
     * its length, its bytes starting after the quote; else -1, and {@code pos} has not moved.
     */
    int plainString() {
        int start = pos + 1;
        int stop = Swar.stringStop(bytes, start, end);
        if (stop < end && bytes[stop] == '"') {
            pos = stop + 1;
            return stop - start;
        }
        return -1;
    }

    /** A string at {@code pos}, its opening quote, not kept (a text seldom seen twice). */
    String text() throws MalformedEventException {
        return string(false);
    }

    private String string(boolean cached) throws MalformedEventException {
        int start = pos + 1;
        int stop = Swar.stringStop(bytes, start, end);
        if (stop < end && bytes[stop] == '"') {
            pos = stop + 1;
            int length = stop - start;
            return cached
                    ? valueCache.get(bytes, start, length)
                    : new String(
                            bytes, start, length, StandardCharsets.ISO_8859_1); // a byte a char
        }
        return rest(start, stop);
    }

    /**
     * A string that began at {@code start} and has an escape, a control character or a byte past
     * ASCII at {@code stop}, or no closing quote ({@code stop} is the end).
     */
    private String rest(int start, int stop) throws MalformedEventException {
        pos = stop;
        if (stop >= end) {
            throw error("unterminated string");
        }
        return JsonEscapes.rest(this, start);
    }

    /**
     * A number at {@code pos}: {@link #integral} and {@link #longValue} when it has no fraction nor
     * exponent and fits a long, else {@link #doubleValue}, exactly as {@code Double.parseDouble}.
     */
    void number() throws MalformedEventException {
        numbers.read(this);
    }

    /** {@code word} at {@code pos}, else the first byte where it is not. */
    void literal(String word) throws MalformedEventException {
        for (int i = 0, n = word.length(); i < n; i++, pos++) {
            if (pos >= end || bytes[pos] != word.charAt(i)) {
                throw unexpected();
            }
        }
    }

    /**
     * Skips one value of any kind, checking it is JSON; arrays and objects without recursion,
     * refused past the depth this was made with.
     */
    void skipValue() throws MalformedEventException {
        int depth = 0;
        long closers = 0; // bit i: level i+1 is an object (1) or an array (0); 64 levels fit a long
        while (true) {
            skipSpace();
            if (pos >= end) {
                throw error("unexpected end of text");
            }
            byte c = bytes[pos];
            boolean container = c == '{' || c == '[';
            if (container) {
                if (depth == maxDepth) {
                    throw error("nested deeper than " + maxDepth + " levels");
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
        text();
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
            text();
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
    String kindAt() {
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

    String kindOfValue() throws MalformedEventException {
        if (pos >= end) {
            throw error("unexpected end of text");
        }
        String kind = kindAt();
        if (kind == null) {
            throw unexpected();
        }
        return kind;
    }

    byte peek() throws MalformedEventException {
        if (pos >= end) {
            throw error("unexpected end of text");
        }
        return bytes[pos];
    }

    void skipSpace() {
        while (pos < end) {
            byte c = bytes[pos];
            // one comparison for the usual case, a byte that is no space (bytes >= 0x80 are < 0)
            if (c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r')) {
                return;
            }
            pos++;
        }
    }

    /** The whole line is checked once it has a byte past ASCII: the reason names the bad byte. */
    void checkUtf8() throws MalformedEventException {
        if (!utf8Checked) {
            utf8.check(bytes, lineStart, end - lineStart);
            utf8Checked = true;
        }
    }

    /** An unexpected byte at {@code pos}, named as a character. */
    MalformedEventException unexpected() throws MalformedEventException {
        if (pos >= end) {
            return error("unexpected end of text");
        }
        byte c = bytes[pos];
        if (c < 0) {
            checkUtf8(); // the line is UTF-8 when this returns: the bytes at pos are a character
            String rest = new String(bytes, pos, Math.min(4, end - pos), StandardCharsets.UTF_8);
            return error(
                    "unexpected character '"
                            + new String(Character.toChars(rest.codePointAt(0)))
                            + "'");
        }
        return error(
                c >= 0x20 && c < 0x7F
                        ? "unexpected character '" + (char) c + "'"
                        : String.format("unexpected byte 0x%02X", c));
    }

    /**
     * The line is not JSON: why, and where. A line that is not UTF-8 either is refused as such,
     * naming the first bad byte, so the reason does not depend on where the JSON went wrong.
     */
    MalformedEventException error(String what) throws MalformedEventException {
        if (!utf8Checked) {
            for (int i = lineStart; i < end; i++) {
                if (bytes[i] < 0) {
                    checkUtf8();
                    break;
                }
            }
        }
        return new MalformedEventException(
                "not valid JSON: " + what + " at column " + (pos - lineStart + 1));
    }
}
