package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written event line parser against jackson-core ({@link JacksonOracle}) on the test data,
 * on random events and on random damage to them; and what it refuses, with which reason.
 */
class EventLineParserTest {

    private static final Path PAYMENTS = Path.of("../testdata/payments.jsonl");

    private final EventLineParser parser = new EventLineParser();

    @Test
    void readsTheTestDataAsJacksonDoes() throws Exception {
        int events = 0;
        for (String line : Files.readAllLines(PAYMENTS)) {
            events += sameAsJackson(line.getBytes(StandardCharsets.UTF_8)) ? 1 : 0;
        }
        assertThat(events).isEqualTo(12_000);
    }

    @Test
    void readsRandomEventsAsJacksonDoes() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String line = RandomLines.event(random);
            assertThat(sameAsJackson(line.getBytes(StandardCharsets.UTF_8))).as(line).isTrue();
        }
    }

    @Test
    void refusesWhatJacksonRefusesInDamagedLines() {
        Random random = new Random(7);
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] line =
                    RandomLines.damage(
                            random, RandomLines.event(random).getBytes(StandardCharsets.UTF_8));
            refused += sameAsJackson(line) ? 0 : 1;
        }
        assertThat(refused).as("damage that breaks lines").isGreaterThan(4_000);
    }

    @Test
    void readsNumbersExactlyAsDoubleParseDouble() throws Exception {
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            String number = RandomLines.decimal(random);
            EventRecord event =
                    parser.parse(
                            ("{\"key\":\"k\",\"time\":1,\"x\":" + number + "}")
                                    .getBytes(StandardCharsets.UTF_8));
            if (number.contains(".") || number.contains("e") || number.contains("E")) {
                assertThat(event.doubleAt(0)).as(number).isEqualTo(Double.parseDouble(number));
            } else {
                assertThat(event.longAt(0)).as(number).isEqualTo(Long.parseLong(number));
            }
        }
        for (String number : // eight digits at a time, up to the 18 a long mantissa holds
                List.of(
                        "12345678",
                        "-123456789",
                        "1234567812345678",
                        "123456781234567812",
                        "1234567812345678123",
                        "12345678.87654321",
                        "0.00000000123456789",
                        "1234567890.12345678",
                        "99999999.999999999",
                        "1234567812345678123.5",
                        "0.1234567812345678123",
                        "12345678e-8",
                        "00000000")) {
            EventRecord event;
            try {
                event = parse("{\"key\":\"k\",\"time\":1,\"x\":" + number + "}");
            } catch (MalformedEventException e) {
                assertThat(e).as(number).hasMessageContaining("leading zero");
                continue;
            }
            if (event.attributeType(0) == dev.flinksidecar.rule.AttributeType.LONG) {
                assertThat(event.longAt(0)).as(number).isEqualTo(Long.parseLong(number));
            } else {
                assertThat(event.doubleAt(0)).as(number).isEqualTo(Double.parseDouble(number));
            }
        }
        assertThat(parse("{\"key\":\"k\",\"time\":1,\"x\":-0.0}").doubleAt(0)).isEqualTo(-0.0);
        assertThat(parse("{\"key\":\"k\",\"time\":1,\"x\":-0}").longAt(0)).isZero();
        assertThat(parse("{\"key\":\"k\",\"time\":1,\"x\":99999999999999999999}").doubleAt(0))
                .as("past a long: a double")
                .isEqualTo(1e20);
        assertThat(parse("{\"key\":\"k\",\"time\":1,\"x\":1e400}").doubleAt(0)).isInfinite();
        assertThat(parse("{\"key\":\"k\",\"time\":1,\"x\":9223372036854775807}").longAt(0))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(parse("{\"key\":\"k\",\"time\":1,\"x\":-9223372036854775808}").longAt(0))
                .isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void refusesNestingPastTheLimitWithoutRecursion() {
        String deep =
                "{\"key\":\"k\",\"time\":1,\"x\":"
                        + "[".repeat(100_000)
                        + "]".repeat(100_000)
                        + "}";
        assertThatThrownBy(() -> parse(deep))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage(
                        "not valid JSON: nested deeper than 64 levels at column " + (24 + 64 + 1));
        String deepObjects = "{\"x\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_001);
        assertThatThrownBy(() -> parse(deepObjects))
                .hasMessageContaining("nested deeper than 64 levels");
        assertThatThrownBy(() -> parse("[".repeat(100_000)))
                .hasMessage("not valid JSON: nested deeper than 64 levels at column 65");
        assertThatThrownBy(() -> parse("[[1],{\"a\":null}]"))
                .hasMessage("expected a JSON object but found an array");
        assertThatThrownBy(() -> parse("not json"))
                .hasMessage("not valid JSON: unexpected character 'o' at column 2");
        String shallow = "{\"key\":\"k\",\"time\":1,\"x\":" + "[".repeat(64) + "]".repeat(64) + "}";
        assertThatThrownBy(() -> parse(shallow))
                .as("64 levels are looked into")
                .hasMessage(
                        "field 'x' is an array; attributes must be strings, numbers or booleans");
    }

    @Test
    void refusesHalfSurrogatePairs() throws Exception {
        assertThatThrownBy(() -> parse("{\"key\":\"a\\ud800b\",\"time\":1}"))
                .hasMessage(
                        "not valid JSON: \\ud800 is half a surrogate pair, which is no Unicode text at column 10");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"s\":\"\\udc00\"}"))
                .hasMessageContaining("\\udc00 is half a surrogate pair");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"s\":\"\\ud800\\u0041\"}"))
                .hasMessageContaining("\\ud800 is half");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"s\\ud800\":1}"))
                .hasMessageContaining("\\ud800 is half");
        assertThat(parse("{\"key\":\"\\ud83d\\ude00\",\"time\":1}").key())
                .isEqualTo("\uD83D\uDE00");
    }

    @Test
    void refusesBytesThatAreNotUtf8NamingTheByte() throws Exception {
        assertThat(parse("{\"key\":\"caf\u00e9 \uD83D\uDE00\",\"time\":1}").key())
                .isEqualTo("caf\u00e9 \uD83D\uDE00");
        for (String bad : List.of("c328", "c0af", "eda080", "f4908080", "f5", "80", "e282")) {
            byte[] line = bytes("{\"key\":\"k", bad, "\",\"time\":1}");
            assertThatThrownBy(() -> parser.parse(line))
                    .as(bad)
                    .hasMessageStartingWith("not valid UTF-8: byte 0x")
                    .hasMessageContaining("at byte 10 of the line");
        }
        assertThatThrownBy(() -> parser.parse(bytes("{\"key\":\"k\",\"time\":1,", "ff", "}")))
                .hasMessageStartingWith("not valid UTF-8: byte 0xFF");
    }

    @Test
    void aLineStartingWithAnEmojiIsNotJson() {
        assertThatThrownBy(() -> parse("\uD83D\uDE00{\"key\":\"k\",\"time\":1}"))
                .hasMessage("not valid JSON: unexpected character '\uD83D\uDE00' at column 1");
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"key\":\"j\"}"))
                .hasMessage("not valid JSON: duplicate field 'key' at column 21");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"a\":1,\"a\":2}"))
                .hasMessageContaining("duplicate field 'a'");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":01}"))
                .hasMessageContaining("a number with a leading zero");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1} x"))
                .hasMessageContaining("unexpected text after the value");
        assertThatThrownBy(() -> parse("")).hasMessage("not valid JSON: no value at column 1");
        assertThatThrownBy(() -> parse("{\"time\":1,\"x\":[1]}"))
                .as("key and time before the attributes")
                .hasMessage("missing field 'key'");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1.5}"))
                .hasMessage(
                        "field 'time' must be epoch milliseconds or an ISO-8601 instant, found a number");
        assertThatThrownBy(() -> parse("{\"key\":7,\"time\":1}"))
                .hasMessage("field 'key' must be a non-empty string, found a number");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"type\":3}"))
                .hasMessage("field 'type' must be a string, found a number");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"m\":null}"))
                .hasMessage("field 'm' is null; attributes must be strings, numbers or booleans");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"s\":\"a\tb\"}"))
                .hasMessageContaining("control character in a string");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"s\":\"\\x\"}"))
                .hasMessageContaining("bad escape '\\x'");
        assertThatThrownBy(() -> parser.parse(bytes("{", "00", "}")))
                .hasMessageContaining("expected a field name");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"x\":tru}"))
                .hasMessage("not valid JSON: unexpected character '}' at column 28");
    }

    @Test
    void eventsOfOneSchemaShareTheirNameAndTypeArrays() throws Exception {
        EventRecord a = parse("{\"key\":\"a\",\"time\":1,\"x\":1,\"y\":\"s\"}");
        EventRecord b = parse("{\"key\":\"b\",\"time\":2,\"x\":2,\"y\":\"t\"}");
        EventRecord c = parse("{\"key\":\"c\",\"time\":3,\"x\":2.5,\"y\":\"t\"}");
        assertThat(b.names()).isSameAs(a.names());
        assertThat(b.types()).isSameAs(a.types());
        assertThat(c.types()).isNotSameAs(a.types());
        assertThat(b.stringAt(1)).isEqualTo("t");
        assertThat(c.names()[1]).as("names come from the cache").isSameAs(a.names()[1]);
    }

    /**
     * A parser that has read other lines ({@link FieldSeparators}, the caches, the shared schema)
     * reads each line as a new parser does: the test data's lines with white space put in where the
     * previous line had none (and taken out), names with escapes or bytes past ASCII at the places
     * of plain ones, duplicate names, and random damage, each after lines of the same shape.
     */
    @Test
    void readsEachLineAsANewParserDoes() throws Exception {
        List<String> payments = Files.readAllLines(PAYMENTS).subList(0, 2_000);
        Random random = new Random(13);
        String[] variants = {" ", "\t", "  ", "\"merch\\u0061nt\"", "\"m\u00e9rchant\"", ""};
        for (int i = 0; i < 30_000; i++) {
            String line = payments.get(random.nextInt(payments.size()));
            byte[] bytes;
            switch (random.nextInt(5)) {
                case 0:
                    bytes = line.getBytes(StandardCharsets.UTF_8);
                    break;
                case 1: // white space after a colon or a comma, or before a name
                    int at = Math.max(line.indexOf(':', random.nextInt(line.length())), 0) + 1;
                    bytes =
                            (line.substring(0, at)
                                            + variants[random.nextInt(3)]
                                            + line.substring(at))
                                    .getBytes(StandardCharsets.UTF_8);
                    break;
                case 2: // a name the long way, or one field twice
                    bytes =
                            (random.nextBoolean()
                                            ? line.replace(
                                                    "\"merchant\"", variants[3 + random.nextInt(2)])
                                            : line.replace("\"country\"", "\"channel\""))
                                    .getBytes(StandardCharsets.UTF_8);
                    break;
                case 3:
                    bytes = RandomLines.damage(random, line.getBytes(StandardCharsets.UTF_8));
                    break;
                default:
                    bytes = RandomLines.event(random).getBytes(StandardCharsets.UTF_8);
            }
            assertThat(outcome(parser, bytes))
                    .as(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo(outcome(new EventLineParser(), bytes));
        }
    }

    @Test
    void moreWhiteSpaceBeforeAValueThanOnThePreviousLineIsRead() throws Exception {
        parse("{\"key\":\"a\",\"time\":1,\"x\": 1}");
        EventRecord event = parse("{\"key\":  \"b\",\"time\":\t2,\"x\":  3  }");
        assertThat(event.key()).isEqualTo("b");
        assertThat(event.time()).isEqualTo(2);
        assertThat(event.longAt(0)).isEqualTo(3);
        for (int twice = 0; twice < 2; twice++) { // the second time, its separator is known
            assertThatThrownBy(() -> parse("{\"key\":\"a\",\"time\":1,\"time\": 1}"))
                    .hasMessage("not valid JSON: duplicate field 'time' at column 21");
        }
    }

    /** The record, or the reason the line is refused. */
    private static Object outcome(EventLineParser parser, byte[] line) {
        try {
            return parser.parse(line);
        } catch (MalformedEventException e) {
            return e.getMessage();
        }
    }

    /**
     * A record keeps its values while the parser reads on: the parser hands its value arrays to the
     * record and starts new ones, whether the next line has as many attributes, more (the arrays
     * grow) or fewer (the record takes a copy), or is refused half-way.
     */
    @Test
    void recordsKeepTheirValuesWhileTheParserReadsOn() throws Exception {
        List<EventRecord> records = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Random random = new Random(17);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder line = new StringBuilder("{\"key\":\"k" + i + "\",\"time\":" + i);
            int attributes = random.nextInt(4) == 0 ? random.nextInt(20) : 3;
            for (int a = 0; a < attributes; a++) {
                line.append(",\"a").append(a).append("\":");
                line.append(random.nextBoolean() ? "\"v" + i + "\"" : String.valueOf(i * 10 + a));
            }
            String text = line.append(random.nextInt(10) == 0 ? ",\"bad\":[]}" : "}").toString();
            try {
                records.add(parse(text));
                lines.add(text);
            } catch (MalformedEventException refused) {
                assertThat(refused).hasMessageContaining("'bad' is an array");
            }
        }
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i))
                    .as(lines.get(i))
                    .isEqualTo(
                            new EventLineParser()
                                    .parse(lines.get(i).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Names the previous record had, in its order, need no search for duplicates; a name past them
     * is searched for among all before it, with the hash set past 16 attributes too.
     */
    @Test
    void findsDuplicatesAfterThePreviousRecordsNames() throws Exception {
        parse("{\"key\":\"k\",\"time\":1,\"a\":1,\"b\":2,\"c\":3}");
        assertThatThrownBy(() -> parse("{\"key\":\"k\",\"time\":1,\"a\":1,\"b\":2,\"a\":3}"))
                .hasMessage("not valid JSON: duplicate field 'a' at column 33");
        assertThatThrownBy(
                        () -> parse("{\"key\":\"k\",\"time\":1,\"a\":1,\"b\":2,\"c\":3,\"b\":4}"))
                .hasMessage("not valid JSON: duplicate field 'b' at column 39");
        StringBuilder many = new StringBuilder("{\"key\":\"k\",\"time\":1");
        for (int i = 0; i < 20; i++) {
            many.append(",\"n").append(i).append("\":").append(i);
        }
        assertThat(parse(many + "}").attributeCount()).isEqualTo(20);
        assertThatThrownBy(() -> parse(many + ",\"n3\":0}"))
                .hasMessageContaining("duplicate field 'n3'");
        assertThatThrownBy(() -> parse(many + ",\"x\":0,\"n19\":0}"))
                .hasMessageContaining("duplicate field 'n19'");
        assertThat(parse(many + ",\"x\":0,\"y\":0}").attributeCount()).isEqualTo(22);
    }

    /**
     * Guards what the name cache and the shared schema arrays buy: the bytes allocated per event of
     * the test data, 144 (the record, its value arrays, the strings the cache does not hold);
     * before the cache, 839. A budget of bytes, not a timing, so it holds on any machine.
     */
    @Test
    void allocatesLittlePerEvent() throws Exception {
        List<byte[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(PAYMENTS)) {
            try {
                if (!line.contains("\"time\":\"")) { // ISO-8601 times allocate in java.time
                    parser.parse(line.getBytes(StandardCharsets.UTF_8));
                    lines.add(line.getBytes(StandardCharsets.UTF_8));
                }
            } catch (MalformedEventException e) {
                // dead letters allocate their exception and reason: not what this measures
            }
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long perEvent = Long.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (byte[] line : lines) {
                parser.parse(line);
            }
            perEvent =
                    Math.min(
                            perEvent,
                            (threads.getCurrentThreadAllocatedBytes() - before) / lines.size());
        }
        assertThat(perEvent).as("bytes allocated per event").isLessThan(200);
    }

    private boolean sameAsJackson(byte[] line) {
        EventRecord expected = JacksonOracle.event(line);
        EventRecord actual;
        try {
            actual = parser.parse(line);
        } catch (MalformedEventException e) {
            assertThat(e.getMessage()).isNotBlank();
            if (expected != null && !RandomLines.jacksonLetsThrough(line)) {
                fail(
                        "refused what jackson reads ("
                                + e.getMessage()
                                + "): "
                                + new String(line, StandardCharsets.UTF_8));
            }
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "an exception escaped the parser on "
                            + new String(line, StandardCharsets.UTF_8),
                    e);
        }
        assertThat(actual).as(new String(line, StandardCharsets.UTF_8)).isEqualTo(expected);
        return true;
    }

    private EventRecord parse(String line) throws MalformedEventException {
        return parser.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    /** The text parts as UTF-8 and the hex parts as raw bytes, alternating: text, hex, text, ... */
    static byte[] bytes(String... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i++) {
            out.writeBytes(
                    i % 2 == 0
                            ? parts[i].getBytes(StandardCharsets.UTF_8)
                            : HexFormat.of().parseHex(parts[i]));
        }
        return out.toByteArray();
    }
}
