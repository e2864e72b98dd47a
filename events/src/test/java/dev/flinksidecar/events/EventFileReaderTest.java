package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFileReaderTest {

    @Test
    void jsonLinesKeepLineNumbersAndReportBadLines() throws Exception {
        String text = "{\"key\":\"a\",\"time\":1}\n\nnot json\n{\"key\":\"b\",\"time\":2}\n";
        List<EventFileReader.Entry> entries =
                readAll(
                        EventFileReader.open(
                                "in.jsonl",
                                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                                EventFormat.JSON_LINES));
        assertThat(entries).hasSize(3);
        assertThat(entries.get(0).event().key()).isEqualTo("a");
        assertThat(entries.get(1).event()).isNull();
        assertThat(entries.get(1).line()).isEqualTo(3);
        assertThat(entries.get(1).deadLetter())
                .startsWith("{\"file\":\"in.jsonl\",\"line\":3,\"reason\":\"not valid JSON");
        assertThat(entries.get(1).deadLetter()).endsWith(",\"raw\":\"not json\"}");
        assertThat(entries.get(2).line()).isEqualTo(4);
    }

    @Test
    void badLinesOfEveryKindAreDeadLettersAndTheRestOfTheFileGoesOn() throws Exception {
        byte[] file =
                EventLineParserTest.bytes(
                        "{\"key\":\"a\",\"time\":1}\n"
                                + "{\"key\":\"deep\",\"time\":2,\"x\":"
                                + "[".repeat(100_000)
                                + "]".repeat(100_000)
                                + "}\n"
                                + "{\"key\":\"a\\ud800b\",\"time\":3}\r\n"
                                + "\uD83D\uDE00 {\"key\":\"emoji\",\"time\":4}\n"
                                + "{\"key\":\"caf",
                        "c328",
                        "\",\"time\":5}\n"
                                + "   \n"
                                + "{\"key\":\"\uD83D\uDE00 caf\u00e9\",\"time\":6}\n"
                                + "{\"key\":\"b\",\"time\":7}");
        List<EventFileReader.Entry> entries =
                readAll(
                        EventFileReader.open(
                                "in.jsonl",
                                new ByteArrayInputStream(file),
                                EventFormat.JSON_LINES));

        assertThat(entries)
                .extracting(EventFileReader.Entry::line)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 7L, 8L);
        assertThat(entries)
                .filteredOn(e -> e.event() != null)
                .extracting(e -> e.event().key())
                .containsExactly("a", "\uD83D\uDE00 caf\u00e9", "b");
        assertThat(entries.get(1).error())
                .isEqualTo("not valid JSON: nested deeper than 64 levels at column 92");
        assertThat(entries.get(2).error())
                .isEqualTo(
                        "not valid JSON: \\ud800 is half a surrogate pair, which is no Unicode text at column 10");
        assertThat(entries.get(3).error())
                .isEqualTo("not valid JSON: unexpected character '\uD83D\uDE00' at column 1");
        assertThat(entries.get(4).error())
                .isEqualTo("not valid UTF-8: byte 0xC3 at byte 12 of the line");
        assertThat(entries.get(4).raw())
                .as("bytes that are not UTF-8 shown as U+FFFD")
                .isEqualTo("{\"key\":\"caf\uFFFD(\",\"time\":5}");
        for (EventFileReader.Entry entry : entries.subList(1, 5)) {
            assertThat(utf8(entry.deadLetter()))
                    .as("a dead letter any UTF-8 writer can write")
                    .isTrue();
        }
        assertThat(entries.get(2).deadLetter())
                .contains(",\"raw\":\"{\\\"key\\\":\\\"a\\\\ud800b\\\",");
    }

    @Test
    void aMegabyteOfRandomBytesGivesDeadLettersAndTheReadingGoesOn() throws Exception {
        byte[] noise = new byte[1 << 20];
        new java.util.Random(11).nextBytes(noise);
        byte[] file = new byte[noise.length + 40];
        System.arraycopy(noise, 0, file, 0, noise.length);
        byte[] last = "\n{\"key\":\"after\",\"time\":1}\n".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(last, 0, file, noise.length, last.length);

        List<EventFileReader.Entry> entries =
                readAll(
                        EventFileReader.open(
                                "noise.jsonl",
                                new ByteArrayInputStream(file, 0, noise.length + last.length),
                                EventFormat.JSON_LINES));

        assertThat(entries.get(entries.size() - 1).event().key()).isEqualTo("after");
        assertThat(entries.subList(0, entries.size() - 1))
                .hasSizeGreaterThan(1000)
                .allSatisfy(
                        entry -> {
                            assertThat(entry.event()).isNull();
                            assertThat(entry.error()).isNotBlank();
                            assertThat(utf8(entry.deadLetter())).isTrue();
                        });
    }

    @Test
    void aLineOverTheDefaultMegabyteIsADeadLetterAndALineOfExactlyAMegabyteAnEvent()
            throws Exception {
        String head = "{\"key\":\"big\",\"time\":1,\"pad\":\"";
        int limit = EventFileReader.DEFAULT_MAX_LINE_BYTES;
        assertThat(limit).isEqualTo(1 << 20);
        String fits = head + "x".repeat(limit - head.length() - 2) + "\"}";
        String over = head + "y".repeat(limit - head.length() - 1) + "\"}";
        String text = fits + "\n" + over + "\n{\"key\":\"after\",\"time\":2}\n";

        List<EventFileReader.Entry> entries =
                readAll(
                        EventFileReader.open(
                                "big.jsonl",
                                new ByteLinesTest.Chunked(
                                        text.getBytes(StandardCharsets.UTF_8), 1 << 16),
                                EventFormat.JSON_LINES));

        assertThat(entries).extracting(EventFileReader.Entry::line).containsExactly(1L, 2L, 3L);
        assertThat(entries.get(0).event().key()).isEqualTo("big");
        assertThat(entries.get(1).error())
                .isEqualTo(
                        "the line is longer than 1048576 bytes; its first 1024 bytes are kept in \"raw\"");
        assertThat(entries.get(1).raw()).isEqualTo(over.substring(0, 1024));
        assertThat(entries.get(2).event().key()).isEqualTo("after");
    }

    @Test
    void theLineLimitIsTheCallers() throws Exception {
        String text = "{\"key\":\"a\",\"time\":1}\n{\"key\":\"bb\",\"time\":1}\n";
        List<EventFileReader.Entry> entries =
                readAll(
                        EventFileReader.open(
                                "small.jsonl",
                                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                                EventFormat.JSON_LINES,
                                20));
        assertThat(entries.get(0).event().key()).isEqualTo("a");
        assertThat(entries.get(1).error())
                .isEqualTo(
                        "the line is longer than 20 bytes; its first 20 bytes are kept in \"raw\"");
        assertThat(entries.get(1).raw()).isEqualTo("{\"key\":\"bb\",\"time\":1");
        assertThatThrownBy(
                        () ->
                                EventFileReader.open(
                                        "x.jsonl",
                                        new ByteArrayInputStream(new byte[0]),
                                        EventFormat.JSON_LINES,
                                        0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the longest event line must be 1 to 1073741824 bytes, not 0");
    }

    /** True when {@code text} encodes as UTF-8 with no replacement: no half surrogate pairs. */
    private static boolean utf8(String text) {
        try {
            StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(text));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void delimitedProtobufRoundTrips() throws Exception {
        EventRecord a =
                EventRecord.builder("a", 10)
                        .type("t")
                        .set("x", 1.5)
                        .set("s", "v")
                        .payload(new byte[] {1, 2})
                        .build();
        EventRecord b = EventRecord.builder("b", 11).set("flag", true).set("n", 7L).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EventProtos.toProto(a).writeDelimitedTo(out);
        EventProtos.toProto(b).writeDelimitedTo(out);
        assertThat(EventFormat.of("events.pb")).isEqualTo(EventFormat.DELIMITED_PROTOBUF);
        List<EventFileReader.Entry> entries =
                readAll(
                        EventFileReader.open(
                                "events.pb",
                                new ByteArrayInputStream(out.toByteArray()),
                                EventFormat.DELIMITED_PROTOBUF));
        assertThat(entries).extracting(EventFileReader.Entry::event).containsExactly(a, b);
    }

    private static List<EventFileReader.Entry> readAll(EventFileReader reader) throws Exception {
        List<EventFileReader.Entry> entries = new ArrayList<>();
        try (reader) {
            for (EventFileReader.Entry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }
}
