package dev.flinksidecar.job;

import dev.flinksidecar.events.EventRecord;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Pieces of the generated streams the ITCases run. */
final class TestStreams {

    /**
     * A MiniCluster of one TaskManager with {@code slots} slots on which a failing job stays failed
     * (restart strategy none), so a test sees the failure itself instead of a recovery.
     */
    static MiniClusterExtension clusterWithoutRestarts(int slots) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }

    private TestStreams() {}

    /**
     * A watermark after every event (its time - 1) and none otherwise, so the watermarks depend on
     * the stream alone: a paused source holds its watermark still, and a replay repeats it.
     */
    static WatermarkStrategy<EventRecord> perEventWatermarks() {
        return WatermarkStrategy.<EventRecord>forGenerator(
                        context ->
                                new WatermarkGenerator<>() {
                                    @Override
                                    public void onEvent(
                                            EventRecord event,
                                            long timestamp,
                                            WatermarkOutput output) {
                                        output.emitWatermark(new Watermark(event.time() - 1));
                                    }

                                    @Override
                                    public void onPeriodicEmit(WatermarkOutput output) {}
                                })
                .withTimestampAssigner((event, previous) -> event.time());
    }
}
