package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.flinksidecar.events.json.Json;
import java.util.Map;

/**
 * {@link EventFileReader} (and so {@link ByteLines} and {@link EventLineParser}) over arbitrary
 * bytes, as JSON Lines or delimited protobuf, with a small line limit and the bytes arriving in
 * chunks of any size: reading never throws; every entry is an event or a malformed record with a
 * reason, never both; line numbers only grow; a JSON line's dead letter is valid JSON with the
 * file, line, reason and at most the limit's bytes of the line; an event's JSON (as results carry
 * it) is valid JSON that reads back to the same JSON (unless a number is too large for a double:
 * the JSON writers write null for it, by design).
 *
 * <p>Fuzzed in {@code mvn verify} (events' pom, execution {@code fuzz-event-file-reader}); its
 * inputs, crashes included, are in {@code EventFileReaderFuzzTestInputs/anyBytes/}.
 */
class EventFileReaderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyBytes(FuzzedDataProvider data) throws Exception {
        boolean protobuf = data.consumeBoolean();
        int maxLineBytes = data.consumeInt(1, 2048);
        int chunk = data.consumeInt(1, 64);
        byte[] bytes = data.consumeRemainingAsBytes();
        EventFormat format = protobuf ? EventFormat.DELIMITED_PROTOBUF : EventFormat.JSON_LINES;
        long lastLine = 0;
        int entries = 0;
        try (EventFileReader reader =
                EventFileReader.open(
                        "fuzz.jsonl",
                        new ByteLinesTest.Chunked(bytes, chunk),
                        format,
                        maxLineBytes)) {
            for (EventFileReader.Entry entry = reader.next();
                    entry != null;
                    entry = reader.next()) {
                assertThat(++entries).isLessThanOrEqualTo(bytes.length);
                assertThat(entry.line()).isGreaterThan(lastLine);
                lastLine = entry.line();
                assertThat(entry.event() == null).isNotEqualTo(entry.error() == null);
                if (entry.event() == null) {
                    deadLetter(entry, protobuf, maxLineBytes);
                } else {
                    event(entry.event());
                }
            }
        }
    }

    private static void deadLetter(EventFileReader.Entry entry, boolean protobuf, int maxLine)
            throws Exception {
        Map<String, Object> letter = Json.parseObject(entry.deadLetter());
        assertThat(letter).containsEntry("file", "fuzz.jsonl").containsKey("reason");
        assertThat(((Number) letter.get("line")).longValue()).isEqualTo(entry.line());
        if (protobuf) {
            assertThat(letter).doesNotContainKey("raw");
        } else {
            // at most the line's bytes (a JSON line's raw is decoded from at most maxLine bytes)
            assertThat(((String) letter.get("raw")).length()).isLessThanOrEqualTo(maxLine);
        }
    }

    private static void event(EventRecord event) throws Exception {
        String json = EventJson.toJson(event);
        Json.parseObject(json);
        if (allFinite(event)) {
            // the JSON has no payload: compared as JSON, read back and written again
            assertThat(EventJson.toJson(EventJson.parse(json))).isEqualTo(json);
        }
    }

    /** False when a number is too large for a double (1e400): its JSON says null, by design. */
    private static boolean allFinite(EventRecord event) {
        for (int i = 0; i < event.attributeCount(); i++) {
            if (event.isNumber(i) && !Double.isFinite(event.numberAt(i))) {
                return false;
            }
        }
        return true;
    }
}
