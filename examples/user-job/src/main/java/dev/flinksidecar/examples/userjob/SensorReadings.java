package dev.flinksidecar.examples.userjob;

import com.google.protobuf.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's own bounded input: readings of four sensors, a quarter second apart, the same every
 * run.
 */
public final class SensorReadings {

    /** 2026-01-01T00:00:00Z. */
    private static final long START_SECONDS = 1_767_225_600L;

    private SensorReadings() {}

    /**
     * {@code count} readings: sensor {@code i % 4}, taken at start + i x 250 ms, 60 to 99 degrees.
     */
    public static List<SensorReading> sample(int count) {
        List<SensorReading> readings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long millis = i * 250L;
            Timestamp takenAt =
                    Timestamp.newBuilder()
                            .setSeconds(START_SECONDS + millis / 1000)
                            .setNanos((int) (millis % 1000) * 1_000_000)
                            .build();
            readings.add(
                    new SensorReading(
                            "sensor-" + i % 4, takenAt, 60 + (i * 37) % 40 + (i % 10) / 10.0));
        }
        return readings;
    }
}
