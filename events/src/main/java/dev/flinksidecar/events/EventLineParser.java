package dev.flinksidecar.events;

import dev.flinksidecar.rule.AttributeType;

/**
 * Parses one event line ({@link EventJson} describes the format) from its UTF-8 bytes straight into
 * an {@link EventRecord}: strict JSON (RFC 8259) for the one flat object an event line is, without
 * decoding the line to a {@code String}, without a tree, without boxing.
 *
 * <p>Why by hand, with jackson-core at hand: what it buys, measured on {@code
 * testdata/payments.jsonl} (bench's {@code EventLinesBenchmark}: MB per second of process CPU,
 * medians of 15 rounds, two runs, on a 2-core machine shared with other builds, 2026-12-08): on the
 * same lines, this parser 303 MB/s against 140-146 MB/s for jackson-core's streaming {@code
 * JsonParser} doing the same work (one parser per line, the same checks and time conversion), x2.1,
 * allocating 144 bytes per event against about 1,200; the whole {@link EventFileReader} 364 MB/s
 * against 110-114 MB/s for the reader it replaced (lines decoded to strings, a tree of boxed
 * values), x3.2-3.3. jackson-core pays for a new parser per line and for its generality; here the
 * bytes between two values (comma, quoted name, colon) are compared with the previous line's at the
 * same place, a word at a time ({@link FieldSeparators}), and the name taken from there; a string
 * ends where a word-at-a-time search finds a quote, a backslash or a byte that is not plain ASCII
 * ({@link Swar}); short strings come from a {@link NameCache} that finds them by their first and
 * last eight bytes; short decimals like {@code 63.46} are computed exactly without {@code
 * Double.parseDouble} ({@link JsonNumbers}); ISO-8601 times in the common form are read from the
 * bytes, without {@code java.time}'s formatter ({@link IsoInstants}); records of the same schema
 * share their name and type arrays ({@link LineAttributes}). And no library joins the sidecar's
 * start path, where a rule jar's self-test events are read (jackson-core's first use loads some 70
 * classes of its own). {@code EventLineParserTest} checks it against jackson-core on the test data
 * and on random and randomly damaged lines, against a new parser after other lines, and guards the
 * bytes allocated per event.
 *
 * <p>Every line that is not an event gives a {@link MalformedEventException} with the reason, never
 * another exception: bytes that are not UTF-8 (checked strictly by the JDK's decoder: no overlong
 * forms, no encoded surrogates), a {@code \}{@code u} escape that leaves half a surrogate pair (no
 * UTF-8 output could carry it), text that is not JSON, a duplicate field, nesting deeper than
 * {@link #MAX_NESTING_DEPTH}. An event line is flat, so any nested value is a reason already; it is
 * skipped without recursion, so a line nested 100,000 levels deep costs no stack, and is refused at
 * level {@value #MAX_NESTING_DEPTH}.
 *
 * <p>Not thread-safe: one per reader.
 */
public final class EventLineParser {

    /** The deepest nesting of arrays and objects looked into before a line is refused. */
    public static final int MAX_NESTING_DEPTH = 64;

    private final JsonBytes in = new JsonBytes(MAX_NESTING_DEPTH);
    private final FieldSeparators separators = new FieldSeparators();
    private final LineAttributes attributes = new LineAttributes();

    // The fields of the line besides its attributes.
    private String key;
    private String keyKind; // what 'key' held when not a string
    private boolean keySeen;
    private String timeKind; // what 'time' held when not an integer or a string
    private boolean timeSeen;
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
     * one event. The bytes are not kept.
     *
     * @throws MalformedEventException saying what is wrong with the line
     */
    public EventRecord parse(byte[] bytes, int offset, int length) throws MalformedEventException {
        in.start(bytes, offset, length);
        reset();
        try {
            object();
            return build();
        } finally {
            in.end();
        }
    }

    private void object() throws MalformedEventException {
        int field = 0;
        String name = separators.skip(in, field); // the line starts as the previous one did
        int nameAt = separators.nameAt;
        if (name == null) {
            int from = in.pos;
            in.skipSpace();
            if (in.atEnd()) {
                throw in.error("no value");
            }
            if (!in.take('{')) {
                notAnObject();
            }
            in.skipSpace();
            if (in.take('}')) {
                end();
                return;
            }
            nameAt = in.pos;
            name = fieldName(field, from);
        }
        while (true) {
            field(name, nameAt);
            field++;
            name = separators.skip(in, field); // the same comma, name and colon as before
            nameAt = separators.nameAt;
            if (name == null) {
                int from = in.pos;
                in.skipSpace();
                if (in.atEnd()) {
                    throw in.error("unexpected end of text");
                }
                if (!in.take(',')) {
                    break;
                }
                in.skipSpace();
                nameAt = in.pos;
                name = fieldName(field, from);
            }
        }
        if (!in.take('}')) {
            throw in.error("expected ',' or '}'");
        }
        end();
    }

    /**
     * The name at {@code pos} and its colon, up to the value; what was read from {@code from} on is
     * the field's separator for the next line when the name is plain.
     */
    private String fieldName(int field, int from) throws MalformedEventException {
        if (!in.at('"')) {
            throw in.error("expected a field name in quotes");
        }
        int nameAt = in.pos;
        String name = in.name();
        boolean plain = in.plainName;
        in.skipSpace();
        if (!in.take(':')) {
            throw in.error("expected ':'");
        }
        in.skipSpace();
        if (plain) {
            separators.keep(in.bytes, field, from, in.pos, name, nameAt);
        }
        return name;
    }

    /** After the object: nothing but white space. */
    private void end() throws MalformedEventException {
        in.skipSpace();
        if (!in.atEnd()) {
            throw in.error("unexpected text after the value");
        }
    }

    /** The line is not an object: why, with the JSON checked first. */
    private void notAnObject() throws MalformedEventException {
        String kind = in.kindAt();
        if (kind == null) {
            throw in.unexpected();
        }
        in.skipValue(); // valid JSON of another kind, or the reason it is not JSON
        in.skipSpace();
        if (!in.atEnd()) {
            throw in.error("unexpected text after the value");
        }
        throw new MalformedEventException("expected a JSON object but found " + kind);
    }

    private void field(String name, int at) throws MalformedEventException {
        int length =
                name.length(); // most names are none of the three: one look at the length tells
        if (length == 3 && name.equals("key")) {
            duplicate(keySeen, name, at);
            keySeen = true;
            if (in.peek() == '"') {
                key = in.string();
            } else {
                keyKind = in.kindOfValue();
                in.skipValue();
            }
        } else if (length == 4 && name.equals("time")) {
            duplicate(timeSeen, name, at);
            timeSeen = true;
            byte c = in.peek();
            if (c == '"') {
                timeString();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                in.number();
                timeIsLong = in.integral;
                timeMillis = in.longValue;
                timeKind = "a number";
            } else {
                timeKind = in.kindOfValue();
                in.skipValue();
            }
        } else if (length == 4 && name.equals("type")) {
            duplicate(typeSeen, name, at);
            typeSeen = true;
            byte c = in.peek();
            if (c == '"') {
                type = in.string();
            } else if (c == 'n') {
                in.literal("null");
            } else {
                defer("field 'type' must be a string, found " + in.kindOfValue());
                in.skipValue();
            }
        } else {
            attribute(name, at);
        }
    }

    /**
     * A time as text: the common ISO-8601 form read from the line's bytes ({@link
     * IsoInstants#utc}), any other kept to be read as before.
     */
    private void timeString() throws MalformedEventException {
        int quote = in.pos;
        int length = in.plainString();
        long millis = length < 0 ? Long.MIN_VALUE : IsoInstants.utc(in.bytes, quote + 1, length);
        if (millis != Long.MIN_VALUE) {
            timeIsLong = true;
            timeMillis = millis;
        } else {
            in.pos = quote;
            timeText = in.text();
        }
    }

    private void attribute(String name, int at) throws MalformedEventException {
        int i = attributes.slot(name);
        duplicate(i < 0, name, at);
        byte c = in.peek();
        if (c == '"') {
            attributes.string(i, in.string());
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            in.number();
            if (in.integral) {
                attributes.number(i, AttributeType.LONG, in.longValue);
            } else {
                attributes.number(
                        i, AttributeType.DOUBLE, Double.doubleToRawLongBits(in.doubleValue));
            }
        } else if (c == 't') {
            in.literal("true");
            attributes.number(i, AttributeType.BOOLEAN, 1);
        } else if (c == 'f') {
            in.literal("false");
            attributes.number(i, AttributeType.BOOLEAN, 0);
        } else {
            attributes.number(i, AttributeType.BOOLEAN, 0); // a placeholder: the line is refused
            defer(
                    "field '"
                            + name
                            + "' is "
                            + in.kindOfValue()
                            + "; attributes must be strings, numbers or booleans");
            in.skipValue();
        }
    }

    private EventRecord build() throws MalformedEventException {
        if (key == null || key.isEmpty()) {
            throw new MalformedEventException(
                    !keySeen || "null".equals(keyKind)
                            ? "missing field 'key'"
                            : "field 'key' must be a non-empty string, found "
                                    + (key != null ? "an empty string" : keyKind));
        }
        long time = time();
        if (deferred != null) {
            throw new MalformedEventException(deferred);
        }
        return attributes.record(key, time, type);
    }

    private long time() throws MalformedEventException {
        if (timeIsLong) {
            return timeMillis;
        } else if (timeText != null) {
            Long millis = IsoInstants.epochMillis(timeText);
            if (millis == null) {
                throw new MalformedEventException(
                        "field 'time' is not an ISO-8601 instant or epoch milliseconds: \""
                                + timeText
                                + "\"");
            }
            return millis;
        } else if (!timeSeen || "null".equals(timeKind)) {
            throw new MalformedEventException("missing field 'time'");
        }
        throw new MalformedEventException(
                "field 'time' must be epoch milliseconds or an ISO-8601 instant, found "
                        + timeKind);
    }

    private void reset() {
        attributes.reset();
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

    private void defer(String reason) {
        if (deferred == null) {
            deferred = reason;
        }
    }

    private void duplicate(boolean twice, String name, int at) throws MalformedEventException {
        if (twice) {
            in.pos = at;
            throw in.error("duplicate field '" + name + "'");
        }
    }
}
