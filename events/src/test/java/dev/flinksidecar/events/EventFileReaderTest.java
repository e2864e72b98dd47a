package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;

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
        List<EventFileReader.Entry> entries = readAll(EventFileReader.open(
                "in.jsonl", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), EventFormat.JSON_LINES));
        assertThat(entries).hasSize(3);
        assertThat(entries.get(0).event().key()).isEqualTo("a");
        assertThat(entries.get(1).event()).isNull();
        assertThat(entries.get(1).line()).isEqualTo(3);
        assertThat(entries.get(1).deadLetter()).startsWith("{\"file\":\"in.jsonl\",\"line\":3,\"reason\":\"not valid JSON");
        assertThat(entries.get(1).deadLetter()).endsWith(",\"raw\":\"not json\"}");
        assertThat(entries.get(2).line()).isEqualTo(4);
    }

    @Test
    void delimitedProtobufRoundTrips() throws Exception {
        EventRecord a = EventRecord.builder("a", 10).type("t").set("x", 1.5).set("s", "v").payload(new byte[] {1, 2}).build();
        EventRecord b = EventRecord.builder("b", 11).set("flag", true).set("n", 7L).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EventProtos.toProto(a).writeDelimitedTo(out);
        EventProtos.toProto(b).writeDelimitedTo(out);
        assertThat(EventFormat.of("events.pb")).isEqualTo(EventFormat.DELIMITED_PROTOBUF);
        List<EventFileReader.Entry> entries = readAll(EventFileReader.open(
                "events.pb", new ByteArrayInputStream(out.toByteArray()), EventFormat.DELIMITED_PROTOBUF));
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
