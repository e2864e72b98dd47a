package dev.flinksidecar.sidecar.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import dev.flinksidecar.sidecar.window.EventTimeWindows;
import dev.flinksidecar.sidecar.window.RecordingFirings;
import dev.flinksidecar.sidecar.window.TestingWindowedRule;
import dev.flinksidecar.sidecar.window.WindowState;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key state format (STATE-FORMAT.md): a key's windows written, read back and restored into
 * fresh windows give the same bytes again and the same firings afterwards, for every kind of
 * window, with allowed lateness and several rules per key; and state that cannot be read is refused
 * with a message saying why.
 */
class KeyStateFormatTest {

    private static final AccumulatorCodec<Object> DOUBLES = codec(AccumulatorCodec.doubles());

    @Test
    void tumblingWindowsWithLatenessRoundTripFiredAndUnfired() throws IOException {
        Part sum = new Part("sum", WindowAssigner.tumbling(Duration.ofSeconds(10)), 5000);
        sum.add("a", 1000, 1).add("a", 4000, 2).add("a", 12_000, 4).add("b", 3000, 8);
        sum.watermark(10_500);
        assertThat(sum.out.take()).containsExactly("a [0,10000) 3.0 x2", "b [0,10000) 8.0 x1");

        byte[] state = write("a", sum);
        Part restored = sum.fresh();
        restore("a", state, restored);

        assertThat(write("a", restored)).as("the same bytes again").isEqualTo(state);
        assertThat(windows("a", restored))
                .containsExactly("[0, 10000) count 2 fired", "[10000, 20000) count 1");
        sameFromHere(
                sum,
                restored,
                "a",
                List.of(event("a", 2000, 16), event("a", 19_000, 32)),
                List.of(14_999L, 20_000L, Long.MAX_VALUE));
    }

    @Test
    void slidingWindowsRoundTrip() throws IOException {
        Part sliding =
                new Part(
                        "sliding",
                        WindowAssigner.sliding(
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(2),
                                Duration.ofMillis(500)),
                        3000);
        for (int t = 0; t < 9; t++) {
            sliding.add("k", 1_767_225_600_000L + t * 1700, t + 1);
        }
        sliding.watermark(1_767_225_606_000L);
        sliding.out.take();

        byte[] state = write("k", sliding);
        Part restored = sliding.fresh();
        restore("k", state, restored);

        assertThat(write("k", restored)).isEqualTo(state);
        assertThat(windows("k", restored))
                .hasSize(10)
                .first()
                .asString()
                .isEqualTo("[1767225594500, 1767225604500) count 3 fired");
        sameFromHere(
                sliding,
                restored,
                "k",
                List.of(event("k", 1_767_225_601_000L, 100), event("k", 1_767_225_612_000L, 1)),
                List.of(1_767_225_608_000L, 1_767_225_612_499L, Long.MAX_VALUE));
    }

    @Test
    void mergedSessionWindowsRoundTrip() throws IOException {
        Part sessions = new Part("sessions", WindowAssigner.session(Duration.ofSeconds(3)), 2000);
        sessions.add("s", 1000, 1)
                .add("s", 8000, 2)
                .add("s", 2500, 4); // [1000,5500) and [8000,11000)
        sessions.add("s", 5000, 8); // [5000,8000) touches both: one session [1000,11000)
        sessions.add("s", 20_000, 16);
        sessions.watermark(10_999);
        assertThat(sessions.out.take()).containsExactly("s [1000,11000) 15.0 x4");

        byte[] state = write("s", sessions);
        Part restored = sessions.fresh();
        restore("s", state, restored);

        assertThat(write("s", restored)).isEqualTo(state);
        assertThat(windows("s", restored))
                .containsExactly("[1000, 11000) count 4 fired", "[20000, 23000) count 1");
        sameFromHere(
                sessions,
                restored,
                "s",
                List.of(event("s", 9000, 32), event("s", 18_000, 64), event("s", 13_500, 128)),
                List.of(12_000L, 30_000L, Long.MAX_VALUE));
    }

    @Test
    void severalRulesOfOneKeyRoundTripInOneState() throws IOException {
        Part tumbling = new Part("a-tumbling", WindowAssigner.tumbling(Duration.ofSeconds(5)), 0);
        Part sliding =
                new Part(
                        "b-sliding",
                        WindowAssigner.sliding(Duration.ofSeconds(6), Duration.ofSeconds(3)),
                        1000);
        Part sessions = new Part("c-sessions", WindowAssigner.session(Duration.ofSeconds(2)), 0);
        for (Part part : List.of(tumbling, sliding, sessions)) {
            part.add("k", 1000, 1).add("k", 4000, 2).add("other", 1500, 4);
        }

        byte[] state = write("k", tumbling, sliding, sessions);
        List<StoredSection> sections = KeyStateReader.read(state);

        assertThat(sections)
                .extracting(s -> s.rule().ruleId() + " " + s.windowCount())
                .containsExactly("a-tumbling 1", "b-sliding 3", "c-sessions 2");
        Part[] fresh = {tumbling.fresh(), sliding.fresh(), sessions.fresh()};
        restore("k", state, fresh);
        assertThat(write("k", fresh)).isEqualTo(state);
        assertThat(fresh[2].windows.hasWindows("other")).as("only the key's own windows").isFalse();
    }

    @Test
    void theDocumentedExampleIsWhatTheWriterWrites() throws IOException {
        RuleSection spend =
                new RuleSection(
                        "spend",
                        RuleSection.classHash("dev.example.Spend"),
                        "1.0.0+3f2a9c1",
                        "sum/1",
                        WindowAssigner.tumbling(Duration.ofSeconds(10)),
                        0);
        KeyStateWriter writer = new KeyStateWriter();
        writer.start(1);
        writer.section(spend, 1);
        writer.window(
                1_767_225_600_000L, 1_767_225_610_000L, 3, false, new double[] {42.5}, DOUBLES);
        byte[] state = writer.finish();

        assertThat(HexFormat.ofDelimiter(" ").formatHex(state))
                .isEqualTo(
                        "01 01 05 73 70 65 6e 64 87 d2 4d a1"
                                + " 0d 31 2e 30 2e 30 2b 33 66 32 61 39 63 31 06 73 75 6d 2f 31 01 90 4e 00 00"
                                + " 01 80 a0 d5 ed ee 66 06 0d 00 00 00 01 40 45 40 00 00 00 00 00");
        assertThat(state).hasSize(58);
    }

    @Test
    void anEmptyStateHasNoSections() throws IOException {
        assertThat(KeyStateReader.read(new byte[0])).isEmpty();
    }

    @Test
    void anUnknownFormatVersionIsRefused() throws IOException {
        byte[] state =
                write(
                        "a",
                        new Part("sum", WindowAssigner.tumbling(Duration.ofSeconds(1)), 0)
                                .add("a", 1, 1));
        state[0] = 7;

        assertThatThrownBy(() -> KeyStateReader.read(state))
                .isInstanceOf(StateFormatException.class)
                .hasMessage(
                        "the state has format version 7, which this sidecar does not read (it reads 1)");
    }

    @Test
    void everyTruncationIsRefusedWithAMessageAndNothingElse() throws IOException {
        Part sessions = new Part("sessions", WindowAssigner.session(Duration.ofSeconds(3)), 2000);
        Part tumbling = new Part("tumbling", WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        for (Part part : List.of(sessions, tumbling)) {
            part.add("k", 1000, 1).add("k", 9000, 2).add("k", 25_000, 3);
        }
        byte[] state = write("k", sessions, tumbling);

        for (int length = 1; length < state.length; length++) {
            byte[] cut = Arrays.copyOf(state, length);
            assertThatThrownBy(() -> KeyStateReader.read(cut))
                    .as("cut to %d of %d bytes", length, state.length)
                    .isInstanceOf(StateFormatException.class)
                    .hasMessageStartingWith("the state is truncated: it ends inside ");
        }
        assertThatThrownBy(() -> KeyStateReader.read(Arrays.copyOf(state, state.length - 3)))
                .hasMessage(
                        "the state is truncated: it ends inside window 2 of 2 of rule 'tumbling' ("
                                + (state.length - 3)
                                + " bytes)");
        assertThatThrownBy(() -> KeyStateReader.read(Arrays.copyOf(state, 9)))
                .hasMessage("the state is truncated: it ends inside section 1 of 2 (9 bytes)");
        assertThatThrownBy(() -> KeyStateReader.read(Arrays.copyOf(state, 13)))
                .hasMessage(
                        "the state is truncated: it ends inside the section of rule 'sessions' (13 bytes)");
    }

    @Test
    void corruptBytesAreRefusedWithWhatIsWrong() throws IOException {
        byte[] state =
                write(
                        "a",
                        new Part("sum", WindowAssigner.tumbling(Duration.ofSeconds(1)), 0)
                                .add("a", 1, 1));
        byte[] longer = Arrays.copyOf(state, state.length + 2);
        assertThatThrownBy(() -> KeyStateReader.read(longer))
                .hasMessage(
                        "the state is corrupt: 2 bytes follow the last section (in the end of the state, at byte "
                                + state.length
                                + ")");

        int kind =
                1 + 1 + 4 + 4 + 11
                        + 1; // after the version, count, "sum", class, "1.0.0+test", no layout
        byte[] badKind = state.clone();
        badKind[kind] = 9;
        assertThatThrownBy(() -> KeyStateReader.read(badKind))
                .hasMessage(
                        "the state is corrupt: window kind 9 is not one of 1 (tumbling), 2 (sliding), 3 (session) (in the section of rule 'sum', at byte "
                                + (kind + 1)
                                + ")");
    }

    @Test
    void anAccumulatorTheCodecDoesNotReadWhollyIsRefused() throws IOException {
        byte[] state =
                write(
                        "a",
                        new Part("sum", WindowAssigner.tumbling(Duration.ofSeconds(1)), 0)
                                .add("a", 1, 1));
        StoredSection section = KeyStateReader.read(state).get(0);
        AccumulatorCodec<long[]> shortReader =
                new AccumulatorCodec<>() {
                    @Override
                    public void write(long[] value, DataOutput out) {}

                    @Override
                    public long[] read(DataInput in) throws IOException {
                        return new long[] {in.readInt()};
                    }
                };

        assertThatThrownBy(() -> section.decode(shortReader))
                .hasMessage(
                        "the codec read 4 of the 12 bytes of the accumulator of window [0, 1000)");
    }

    @Test
    void restoredWindowsMustBeWindowsOfTheRule() throws IOException {
        Part tumbling = new Part("sum", WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        Part sessions = new Part("sessions", WindowAssigner.session(Duration.ofSeconds(3)), 0);

        assertThatThrownBy(
                        () ->
                                tumbling.windows.restore(
                                        "a",
                                        List.of(
                                                new WindowState(
                                                        500, 10_500, 1, false, new double[1]))))
                .hasMessage(
                        "window [500, 10500) count 1 is not a window of size 10000 ms starting every 10000 ms (offset 0 ms)");
        assertThatThrownBy(
                        () ->
                                tumbling.windows.restore(
                                        "a",
                                        List.of(
                                                new WindowState(
                                                        0, 10_000, 1, true, new double[1]))))
                .hasMessage(
                        "window [0, 10000) count 1 fired is marked fired, but without allowed lateness a window goes when it fires");
        assertThatThrownBy(
                        () ->
                                sessions.windows.restore(
                                        "a",
                                        List.of(
                                                new WindowState(0, 3000, 1, false, new double[1]),
                                                new WindowState(
                                                        3000, 6000, 1, false, new double[1]))))
                .hasMessage(
                        "window [3000, 6000) count 1 overlaps or touches [0, 3000) count 1; a key's session windows are merged when they do");
        tumbling.add("a", 1000, 1);
        assertThatThrownBy(
                        () ->
                                tumbling.windows.restore(
                                        "a",
                                        List.of(
                                                new WindowState(
                                                        10_000, 20_000, 1, false, new double[1]))))
                .hasMessage(
                        "the key has open windows of this rule already (is its state restored twice?)");
        assertThat(sessions.windows.openWindows())
                .as("nothing restored from a refused state")
                .isZero();
    }

    @Test
    void aRestoredWindowThatHadFiredFiresOnlyWhenTheWatermarkPassesItAgainAsFlinkDoes()
            throws IOException {
        Part sum = new Part("sum", WindowAssigner.tumbling(Duration.ofSeconds(10)), 5000);
        sum.add("a", 1000, 1).watermark(10_000);
        assertThat(sum.out.take()).containsExactly("a [0,10000) 1.0 x1");
        Part restored = sum.fresh();
        restore("a", write("a", sum), restored);

        restored.add("a", 2000, 2);
        assertThat(restored.out.take())
                .as("the watermark restarted at Long.MIN_VALUE: no late firing yet")
                .isEmpty();
        restored.watermark(9998);
        assertThat(restored.out.take()).isEmpty();
        restored.watermark(9999);
        assertThat(restored.out.take())
                .as("its end - 1 timer, set again by the event")
                .containsExactly("a [0,10000) 3.0 x2");
        restored.watermark(14_999);
        assertThat(restored.windows.openWindows()).as("cleaned up at end - 1 + lateness").isZero();
    }

    /** Writes the windows of {@code key} in each part, as one state. */
    private static byte[] write(String key, Part... parts) throws IOException {
        KeyStateWriter writer = new KeyStateWriter();
        List<Part> holding = new ArrayList<>();
        for (Part part : parts) {
            if (part.windows.hasWindows(key)) {
                holding.add(part);
            }
        }
        writer.start(holding.size());
        for (Part part : holding) {
            writer.section(part.section, part.windows.windowCount(key));
            part.windows.forEachWindow(
                    key,
                    (start, end, count, fired, accumulator) ->
                            writer.window(start, end, count, fired, accumulator, DOUBLES));
        }
        return writer.finish();
    }

    /** Reads {@code state} and restores section i into {@code parts[i]}. */
    private static void restore(String key, byte[] state, Part... parts) throws IOException {
        List<StoredSection> sections = KeyStateReader.read(state);
        assertThat(sections).hasSize(parts.length);
        for (int i = 0; i < parts.length; i++) {
            assertThat(sections.get(i).rule().sameInstanceAs(parts[i].section)).isTrue();
            assertThat(sections.get(i).rule().toString()).isEqualTo(parts[i].section.toString());
            parts[i].windows.restore(key, sections.get(i).decode(AccumulatorCodec.doubles()));
        }
    }

    private static List<String> windows(String key, Part part) throws IOException {
        List<String> windows = new ArrayList<>();
        part.windows.forEachWindow(
                key,
                (start, end, count, fired, accumulator) ->
                        windows.add(
                                new WindowState(start, end, count, fired, accumulator).toString()));
        return windows;
    }

    /**
     * The original and the restored windows, given the original's watermark first (the client's
     * last forwarded one), then the same events and watermarks, fire the same.
     */
    private static void sameFromHere(
            Part original,
            Part restored,
            String key,
            List<EventRecord> events,
            List<Long> watermarks) {
        restored.watermark(original.windows.watermark());
        assertThat(restored.out.take())
                .as("the watermark the state was taken at fires nothing again")
                .isEmpty();
        for (int i = 0; i < Math.max(events.size(), watermarks.size()); i++) {
            for (Part part : List.of(original, restored)) {
                if (i < events.size()) {
                    part.windows.onElement(events.get(i), part.out);
                }
                if (i < watermarks.size()) {
                    part.watermark(watermarks.get(i));
                }
            }
            assertThat(restored.out.take())
                    .as("step %d for key %s", i, key)
                    .isEqualTo(original.out.take());
        }
        assertThat(restored.windows.openWindows()).isEqualTo(original.windows.openWindows());
    }

    private static EventRecord event(String key, long time, double amount) {
        return EventRecord.builder(key, time).type("payment").set("amount", amount).build();
    }

    @SuppressWarnings("unchecked")
    private static AccumulatorCodec<Object> codec(AccumulatorCodec<?> codec) {
        return (AccumulatorCodec<Object>) codec;
    }

    /** One windowed rule's windows, as a session holds them, with how a state names it. */
    private static final class Part {
        final WindowAssigner assigner;
        final long latenessMs;
        final RuleSection section;
        final EventTimeWindows windows;
        final RecordingFirings out = new RecordingFirings();

        Part(String id, WindowAssigner assigner, long latenessMs) {
            this.assigner = assigner;
            this.latenessMs = latenessMs;
            this.section =
                    new RuleSection(
                            id,
                            RuleSection.classHash("testrules.Sum"),
                            "1.0.0+test",
                            null,
                            assigner,
                            latenessMs);
            this.windows =
                    EventTimeWindows.of(
                            new TestingWindowedRule(assigner, Duration.ofMillis(latenessMs)),
                            ChangedKeys.tracked());
        }

        /** Empty windows of the same rule, as a restored session opens them. */
        Part fresh() {
            return new Part(section.ruleId(), assigner, latenessMs);
        }

        Part add(String key, long time, double amount) {
            windows.onElement(event(key, time, amount), out);
            return this;
        }

        Part watermark(long watermark) {
            windows.onWatermark(watermark, out);
            return this;
        }
    }
}
