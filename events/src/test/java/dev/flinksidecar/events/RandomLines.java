package dev.flinksidecar.events;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/** Random event lines for the parser's tests: valid ones, and valid ones damaged at random. */
final class RandomLines {

    private static final String[] PIECES = {
        "a",
        "Z",
        "0",
        " ",
        "-",
        "\\\"",
        "\\\\",
        "\\/",
        "\\n",
        "\\t",
        "\\r",
        "\\b",
        "\\f",
        "\\u0041",
        "\\u00e9",
        "\\ud83d\\ude00",
        "\u00e9",
        "\u20ac",
        "\uD83D\uDE00",
        "caf\u00e9",
        "payment",
        "card-0042"
    };
    private static final String[] SPACES = {"", "", "", " ", "\t", "  "};
    private static final Pattern HALF_SURROGATE_ESCAPE = Pattern.compile("\\\\u[dD][89a-fA-F]");

    private RandomLines() {}

    /** A valid event line: key, time (millis or ISO-8601), maybe a type, up to eight attributes. */
    static String event(Random random) {
        List<String> fields = new ArrayList<>();
        fields.add("\"key\":" + string(random, 1));
        fields.add(
                "\"time\":"
                        + (random.nextBoolean()
                                ? String.valueOf(random.nextLong() >> random.nextInt(64))
                                : "\""
                                        + Instant.ofEpochMilli(
                                                random.nextLong() % 100_000_000_000_000L)
                                        + "\""));
        if (random.nextInt(3) > 0) {
            fields.add("\"type\":" + (random.nextInt(8) == 0 ? "null" : string(random, 0)));
        }
        int attributes = random.nextInt(9);
        for (int i = 0; i < attributes; i++) {
            String value;
            switch (random.nextInt(4)) {
                case 0:
                    value = string(random, 0);
                    break;
                case 1:
                    value = String.valueOf(random.nextLong() >> random.nextInt(64));
                    break;
                case 2:
                    value = decimal(random);
                    break;
                default:
                    value = String.valueOf(random.nextBoolean());
            }
            fields.add("\"n" + i + pieces(random, 0, 2).replace("\\\"", "") + "\":" + value);
        }
        java.util.Collections.shuffle(fields, random);
        StringBuilder line = new StringBuilder(space(random)).append('{');
        for (int i = 0; i < fields.size(); i++) {
            String field = fields.get(i);
            int colon = field.indexOf("\":") + 1; // after the name, which holds no quote of its own
            line.append(i == 0 ? "" : ",")
                    .append(space(random))
                    .append(field, 0, colon)
                    .append(space(random))
                    .append(':')
                    .append(space(random))
                    .append(field, colon + 1, field.length())
                    .append(space(random));
        }
        return line.append('}').append(space(random)).toString();
    }

    /** A JSON number: integers in a long, decimals, exponents, Java's own doubles. */
    static String decimal(Random random) {
        switch (random.nextInt(5)) {
            case 0:
                return String.valueOf(random.nextLong() >> random.nextInt(64));
            case 1:
                return Double.toString(
                        Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL)
                                * (random.nextBoolean() ? 1 : -1));
            case 2:
                return (random.nextBoolean() ? "-" : "")
                        + digits(random, 1 + random.nextInt(10))
                        + "."
                        + digits(random, 1 + random.nextInt(12));
            case 3:
                return digits(random, 1 + random.nextInt(20))
                        + "."
                        + digits(random, 1 + random.nextInt(20))
                        + "e"
                        + (random.nextBoolean() ? "-" : "+")
                        + random.nextInt(340);
            default:
                return digits(random, 1 + random.nextInt(3))
                        + (random.nextBoolean() ? "E" : "e")
                        + random.nextInt(30);
        }
    }

    /**
     * The line with a byte changed, removed, doubled or a piece of JSON put in, one to three times.
     */
    static byte[] damage(Random random, byte[] line) {
        byte[] out = line;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int at = random.nextInt(out.length);
            byte[] insert;
            switch (random.nextInt(4)) {
                case 0:
                    out = out.clone();
                    out[at] = (byte) "{}[]\":,\\ -.0e9tnfu\"x".charAt(random.nextInt(20));
                    continue;
                case 1:
                    insert = new byte[0];
                    at++;
                    break;
                case 2:
                    insert = new byte[] {out[at]};
                    break;
                default:
                    String[] pieces = {
                        "[",
                        "{",
                        "]",
                        "}",
                        "\"",
                        ",",
                        ":",
                        "null",
                        "true",
                        "\"key\":\"k\"",
                        "\"time\":1",
                        "01",
                        "1.",
                        "[[]]",
                        "\\ud800",
                        "\\u"
                    };
                    insert = pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8);
            }
            int removed = insert.length == 0 ? 1 : 0;
            byte[] next = new byte[out.length - removed + insert.length];
            int cut = Math.min(at, out.length);
            System.arraycopy(out, 0, next, 0, cut - removed);
            System.arraycopy(insert, 0, next, cut - removed, insert.length);
            System.arraycopy(out, cut, next, cut - removed + insert.length, out.length - cut);
            out = next;
        }
        return out;
    }

    /**
     * True for lines that jackson reads and the event parser refuses on purpose: not UTF-8, half
     * surrogate pairs.
     */
    static boolean jacksonLetsThrough(byte[] line) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line));
        } catch (CharacterCodingException e) {
            return true;
        }
        return HALF_SURROGATE_ESCAPE.matcher(new String(line, StandardCharsets.UTF_8)).find();
    }

    private static String string(Random random, int min) {
        return "\"" + pieces(random, min, 6) + "\"";
    }

    private static String pieces(Random random, int min, int max) {
        StringBuilder out = new StringBuilder();
        for (int n = min + random.nextInt(max + 1 - min); n > 0; n--) {
            out.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return out.toString();
    }

    private static String digits(Random random, int count) {
        StringBuilder out = new StringBuilder();
        out.append((char) ('1' + random.nextInt(9)));
        for (int i = 1; i < count; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        return out.toString();
    }

    private static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }
}
