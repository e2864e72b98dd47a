package dev.flinksidecar.examples.userjob;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink job of its own with the sidecar operator in it: its own source of {@link SensorReading}s,
 * mapped to the operator's events, keyed by sensor, run through the rules of the sidecar beside
 * each TaskManager, and the results mapped to its own {@link SensorAlert}s.
 *
 * <pre>
 *   readings (its own source) ─► EventRecord ─► keyBy(sensor) ─► SidecarStreams.process ─► ResultRecord ─► SensorAlert ─► print
 * </pre>
 *
 * With the {@code threshold} example rule deployed as {@code {"id": "overheat", "field": "celsius",
 * "limit": 90}}, every reading above 90 degrees becomes an alert.
 *
 * <p>Run it with {@code flink run examples/user-job/target/user-job.jar [SOCKET]} (the jar holds
 * the job, the operator's jar, the rule API and the job's protobuf); without a socket path each
 * TaskManager's {@code sidecar.operator.socket-path} names the sidecar beside it.
 */
public final class SensorAlertsJob {

    /** The threshold rule puts the attribute it compared in the result's {@code value}. */
    private static final Pattern VALUE = Pattern.compile("\"value\":(-?[0-9.Ee+-]+|NaN)");

    private SensorAlertsJob() {}

    public static void main(String[] args) throws Exception {
        SidecarOperatorOptions options = SidecarOperatorOptions.defaults();
        if (args.length > 0) {
            options = options.with(SidecarOperatorOptions.SOCKET_PATH, args[0]);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<SensorReading> readings =
                env.fromData(SensorReadings.sample(400), TypeInformation.of(SensorReading.class));
        alerts(readings, options).print();
        env.execute("sensor-alerts");
    }

    /** The job between its source and its sink. */
    public static DataStream<SensorAlert> alerts(
            DataStream<SensorReading> readings, SidecarOperatorOptions options) {
        DataStream<EventRecord> events =
                readings.map(SensorAlertsJob::toEvent, RecordTypes.EVENT)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<EventRecord>forBoundedOutOfOrderness(
                                                Duration.ofSeconds(1))
                                        .withTimestampAssigner((event, previous) -> event.time()));
        return SidecarStreams.process(events.keyBy(EventRecord::key, Types.STRING), options)
                .map(SensorAlertsJob::toAlert, TypeInformation.of(SensorAlert.class));
    }

    /** A reading as the sidecar's rules see it: key, event time and typed attributes. */
    static EventRecord toEvent(SensorReading reading) throws Exception {
        return EventRecord.builder(reading.sensorId, reading.epochMillis())
                .type("reading")
                .set("celsius", reading.celsius)
                .build();
    }

    /**
     * A result of the threshold rule as this job's alert; the result's JSON line has the reading in
     * {@code value}.
     */
    static SensorAlert toAlert(ResultRecord result) {
        Matcher value = VALUE.matcher(result.json());
        if (!value.find()) {
            throw new IllegalArgumentException(
                    "a result without a numeric value: " + result.json());
        }
        return new SensorAlert(
                result.key(),
                result.time(),
                Double.parseDouble(value.group(1)),
                result.rule(),
                result.version());
    }
}
