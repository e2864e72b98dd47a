package dev.flinksidecar.events;

import java.nio.charset.StandardCharsets;

/**
 * The slow path of {@link JsonBytes}'s strings: the rest of a string that has escapes or bytes past
 * ASCII. A {@code \}{@code u} escape must not leave half a surrogate pair (no UTF-8 output could
 * carry it); bytes past ASCII must be UTF-8 (the line is checked once). One thread.
 */
final class JsonEscapes {

    private JsonEscapes() {}

    /**
     * The rest of a string with escapes or bytes past ASCII, from {@code in.pos}; it began at
     * {@code start}.
     */
    static String rest(JsonBytes in, int start) throws MalformedEventException {
        StringBuilder out = new StringBuilder(in.pos - start + 16);
        int run = start; // raw bytes not yet appended start here
        while (in.pos < in.end) {
            byte c = in.bytes[in.pos];
            if (c == '"') {
                appendRun(in, out, run, in.pos);
                in.pos++;
                return out.toString();
            } else if (c == '\\') {
                appendRun(in, out, run, in.pos);
                escape(in, out);
                run = in.pos;
            } else if (c >= 0 && c < 0x20) {
                throw in.error("control character in a string");
            } else {
                in.pos++;
            }
        }
        throw in.error("unterminated string");
    }

    private static void appendRun(JsonBytes in, StringBuilder out, int from, int to)
            throws MalformedEventException {
        for (int i = from; i < to; i++) {
            if (in.bytes[i] < 0) {
                in.checkUtf8();
                out.append(new String(in.bytes, from, to - from, StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = from; i < to; i++) {
            out.append((char) in.bytes[i]);
        }
    }

    /** One escape sequence at {@code in.pos}, appended to {@code out}. */
    private static void escape(JsonBytes in, StringBuilder out) throws MalformedEventException {
        in.pos++;
        if (in.pos >= in.end) {
            throw in.error("unterminated string");
        }
        byte e = in.bytes[in.pos++];
        switch (e) {
            case '"':
            case '\\':
            case '/':
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
                char c = hex4(in);
                if (Character.isHighSurrogate(c)) {
                    if (in.pos + 1 < in.end
                            && in.bytes[in.pos] == '\\'
                            && in.bytes[in.pos + 1] == 'u') {
                        in.pos += 2;
                        char low = hex4(in);
                        if (Character.isLowSurrogate(low)) {
                            out.append(c).append(low);
                            return;
                        }
                        in.pos -= 6;
                    }
                    throw halfSurrogate(in, c);
                } else if (Character.isLowSurrogate(c)) {
                    throw halfSurrogate(in, c);
                }
                out.append(c);
                return;
            default:
                in.pos--;
                throw in.error(
                        "bad escape '\\"
                                + (e >= 0x20 && e < 0x7F
                                        ? String.valueOf((char) e)
                                        : String.format("x%02X", e & 0xFF))
                                + "'");
        }
    }

    private static MalformedEventException halfSurrogate(JsonBytes in, char c)
            throws MalformedEventException {
        in.pos -= 6;
        return in.error(
                String.format(
                        "\\u%04x is half a surrogate pair, which is no Unicode text", (int) c));
    }

    private static char hex4(JsonBytes in) throws MalformedEventException {
        if (in.pos + 4 > in.end) {
            throw in.error("incomplete \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(in.bytes[in.pos + i], 16);
            if (digit < 0) {
                throw in.error("bad \\u escape");
            }
            value = value << 4 | digit;
        }
        in.pos += 4;
        return (char) value;
    }
}
