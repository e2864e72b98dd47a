package dev.flinksidecar.examples.userjob;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.util.Arrays;
import java.util.Objects;

/**
 * One reading of a temperature sensor, as this job's own upstream system delivers it: the time it
 * was taken comes as the bytes of a protobuf 3 {@link Timestamp}. A Flink POJO (public fields, a
 * public no-argument constructor), so Flink serializes it without Kryo.
 */
public class SensorReading {

    public String sensorId;

    /** A serialized {@code google.protobuf.Timestamp}. */
    public byte[] takenAt;

    public double celsius;

    public SensorReading() {}

    public SensorReading(String sensorId, Timestamp takenAt, double celsius) {
        this.sensorId = sensorId;
        this.takenAt = takenAt.toByteArray();
        this.celsius = celsius;
    }

    /** When it was taken, epoch milliseconds: parses {@link #takenAt} with the job's protobuf. */
    public long epochMillis() throws InvalidProtocolBufferException {
        Timestamp timestamp = Timestamp.parseFrom(takenAt);
        return timestamp.getSeconds() * 1000 + timestamp.getNanos() / 1_000_000;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SensorReading
                && ((SensorReading) o).sensorId.equals(sensorId)
                && Arrays.equals(((SensorReading) o).takenAt, takenAt)
                && ((SensorReading) o).celsius == celsius;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sensorId, Arrays.hashCode(takenAt), celsius);
    }
}
