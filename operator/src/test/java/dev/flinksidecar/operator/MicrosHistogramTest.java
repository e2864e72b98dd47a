package dev.flinksidecar.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MicrosHistogramTest {

    @Test
    void everyValueFallsInABucketStartingAtMostOneSixtyFourthBelowIt() {
        for (long micros = 0; micros < 5_000_000; micros += micros < 1000 ? 1 : 997) {
            int bucket = MicrosHistogram.bucket((int) micros);
            int lowest = MicrosHistogram.lowest(bucket);
            assertThat(lowest).as("%d µs", micros).isLessThanOrEqualTo((int) micros);
            assertThat(micros - lowest).as("%d µs", micros).isLessThanOrEqualTo(micros / 64);
            assertThat(MicrosHistogram.bucket(lowest)).isEqualTo(bucket);
        }
        assertThat(MicrosHistogram.bucket(Integer.MAX_VALUE))
                .isGreaterThan(MicrosHistogram.bucket(1 << 30));
    }

    @Test
    void theAccumulatorHoldsEveryCountExactBelow128MicrosecondsAndClampsTheRest() {
        MicrosHistogram histogram = new MicrosHistogram();
        histogram.add(5_400); // 5 µs
        histogram.add(5_900);
        histogram.add(-3); // a clock that went back: 0
        histogram.add(1_003_000); // 1003 µs: buckets 8 µs wide between 512 and 1024, from 1000
        histogram.add(Long.MAX_VALUE);

        TreeMap<Integer, Integer> counts = histogram.toAccumulator().getLocalValue();
        assertThat(counts).containsEntry(5, 2).containsEntry(0, 1).containsEntry(1000, 1);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(5);
        assertThat(counts.lastKey()).isGreaterThan(1 << 30);
    }
}
