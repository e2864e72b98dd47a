package dev.flinksidecar.events.json;

import dev.flinksidecar.rule.Attributes;

/** Writing JSON text by hand, fast: the few pieces the project's output lines need. */
public final class JsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonWriter() {}

    /**
     * Appends {@code s} as a quoted JSON string, escaping what RFC 8259 requires, and half a
     * surrogate pair as a {@code \}{@code u} escape: the text stays valid JSON, and a writer that
     * encodes it as UTF-8 never meets a char it cannot encode.
     */
    public static void string(StringBuilder out, String s) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
                    } else if (!Character.isSurrogate(c)) {
                        out.append(c);
                    } else if (Character.isHighSurrogate(c)
                            && i + 1 < n
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else {
                        out.append("\\u")
                                .append(HEX[c >> 12])
                                .append(HEX[(c >> 8) & 15])
                                .append(HEX[(c >> 4) & 15])
                                .append(HEX[c & 15]);
                    }
            }
        }
        out.append('"');
    }

    /** Appends {@code "name":} with the name escaped. */
    public static void name(StringBuilder out, String name) {
        string(out, name);
        out.append(':');
    }

    /**
     * Appends a double as Java writes it (1250.5, 1300.0, 1.0E10), or null for NaN and infinities.
     */
    public static void number(StringBuilder out, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else {
            out.append(value);
        }
    }

    /** Appends each attribute as {@code ,"name":value}, in order (a comma before each). */
    public static void attributes(StringBuilder out, Attributes attributes) {
        int count = attributes.attributeCount();
        for (int i = 0; i < count; i++) {
            out.append(',');
            name(out, attributes.attributeName(i));
            switch (attributes.attributeType(i)) {
                case STRING:
                    string(out, attributes.stringAt(i));
                    break;
                case LONG:
                    out.append(attributes.longAt(i));
                    break;
                case DOUBLE:
                    number(out, attributes.doubleAt(i));
                    break;
                default:
                    out.append(attributes.booleanAt(i));
            }
        }
    }
}
