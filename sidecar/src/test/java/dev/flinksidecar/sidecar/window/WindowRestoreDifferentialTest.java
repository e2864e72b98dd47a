package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.sidecar.state.KeyStateReader;
import dev.flinksidecar.sidecar.state.KeyStateWriter;
import dev.flinksidecar.sidecar.state.RuleSection;
import dev.flinksidecar.sidecar.state.StoredSection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Restored windows against Flink's own restored {@code WindowOperator}: seeded random streams and
 * windows (see {@link RandomStream}) cut at a random point; there the sidecar's windows are written
 * key by key in the state format and restored into fresh windows, and Flink's operator is
 * snapshotted and restored in its test harness ({@link FlinkWindowOracle#restore}). Both then go on
 * with the rest of the stream, their watermark back at {@code Long.MIN_VALUE}: window results, with
 * the step of the stream that emitted them, and late events must be the same.
 */
class WindowRestoreDifferentialTest {

    private static final int SEEDS = 150;

    @Test
    void restoredWindowsFireAsFlinksRestoredWindowOperatorDoes() throws Exception {
        int restoredKeys = 0;
        int firingsAfterRestore = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random random = new Random(seed * 7919);
            WindowAssigner windows = randomWindows(random);
            long lateness = random.nextBoolean() ? 0 : random.nextInt(4000);
            RandomStream stream = new RandomStream(seed + 5000);
            int cut = random.nextInt(stream.size());
            String what =
                    "seed "
                            + seed
                            + ", "
                            + windows
                            + " lateness "
                            + lateness
                            + "ms, restored after event "
                            + cut;

            try (FlinkWindowOracle flink = new FlinkWindowOracle(windows, lateness)) {
                Recorder sidecar = new Recorder();
                ChangedKeys changes = ChangedKeys.tracked();
                EventTimeWindows before =
                        EventTimeWindows.of(
                                new TestingWindowedRule(windows, Duration.ofMillis(lateness)),
                                changes);
                run(stream, 0, cut, before, sidecar, flink);

                flink.restore();
                EventTimeWindows after =
                        EventTimeWindows.of(
                                new TestingWindowedRule(windows, Duration.ofMillis(lateness)),
                                ChangedKeys.tracked());
                restoredKeys +=
                        restore(
                                before,
                                changes,
                                after,
                                new RuleSection("sum", 1, "1", null, windows, lateness));
                int firedBefore = sidecar.count;
                run(stream, cut + 1, stream.size() - 1, after, sidecar, flink);
                sidecar.step = "W " + (stream.size() - 1);
                after.onWatermark(Long.MAX_VALUE, sidecar);
                flink.watermark(stream.size() - 1, Long.MAX_VALUE);

                assertThat(sidecar.firings)
                        .as(what + ": window results per key")
                        .isEqualTo(flink.firings());
                assertThat(sidecar.late).as(what + ": late events").isEqualTo(flink.late());
                assertThat(after.openWindows()).isZero();
                firingsAfterRestore += sidecar.count - firedBefore;
            }
        }
        assertThat(restoredKeys)
                .as("keys restored with open windows over all seeds")
                .isGreaterThan(500);
        assertThat(firingsAfterRestore).isGreaterThan(5000);
    }

    private static WindowAssigner randomWindows(Random random) {
        long size = 50 + random.nextInt(5000);
        switch (random.nextInt(3)) {
            case 0:
                return WindowAssigner.tumbling(
                        Duration.ofMillis(size), Duration.ofMillis(random.nextInt((int) size)));
            case 1:
                long slide = 20 + random.nextInt((int) size);
                return WindowAssigner.sliding(
                        Duration.ofMillis(size),
                        Duration.ofMillis(slide),
                        Duration.ofMillis(random.nextInt((int) slide)));
            default:
                return WindowAssigner.session(Duration.ofMillis(size / 4 + 1));
        }
    }

    /** Events {@code first..last}, each followed by its watermark, through both. */
    private static void run(
            RandomStream stream,
            int first,
            int last,
            EventTimeWindows windows,
            Recorder sidecar,
            FlinkWindowOracle flink)
            throws Exception {
        for (int i = first; i <= last; i++) {
            EventRecord event = stream.events.get(i);
            sidecar.step = "E " + i;
            if (windows.onElement(event, sidecar)) {
                sidecar.late.add(i);
            }
            if (stream.kept(i)) {
                flink.element(i, event.key(), event.time(), event.getNumber("amount", 0));
            }
            if (stream.watermarkAfter[i] != RandomStream.NONE) {
                sidecar.step = "W " + i;
                windows.onWatermark(stream.watermarkAfter[i], sidecar);
                flink.watermark(i, stream.watermarkAfter[i]);
            }
        }
    }

    /**
     * Writes every key of {@code from} that has windows, reads each back and restores it into
     * {@code into}.
     */
    @SuppressWarnings("unchecked")
    private static int restore(
            EventTimeWindows from, ChangedKeys changes, EventTimeWindows into, RuleSection section)
            throws Exception {
        KeyStateWriter writer = new KeyStateWriter();
        AccumulatorCodec<Object> codec =
                (AccumulatorCodec<Object>) (AccumulatorCodec<?>) AccumulatorCodec.doubles();
        int restored = 0;
        for (String key : changes.keys()) {
            if (!from.hasWindows(key)) {
                continue;
            }
            writer.start(1);
            writer.section(section, from.windowCount(key));
            from.forEachWindow(
                    key,
                    (start, end, count, fired, accumulator) ->
                            writer.window(start, end, count, fired, accumulator, codec));
            List<StoredSection> sections = KeyStateReader.read(writer.finish());
            into.restore(key, sections.get(0).decode(AccumulatorCodec.doubles()));
            restored++;
        }
        return restored;
    }

    /** The sidecar's firings and late events in the oracle's terms. */
    private static final class Recorder implements Firings {
        final Map<String, List<String>> firings = new LinkedHashMap<>();
        final List<Integer> late = new ArrayList<>();
        String step;
        int count;

        @Override
        public void fire(String key, long start, long end, double value, long count) {
            firings.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(FlinkWindowOracle.line(step, start, end, end - 1, value, count));
            this.count++;
        }

        @Override
        public void failed(String key, long start, long end, Throwable error) {
            throw new AssertionError(error);
        }
    }
}
