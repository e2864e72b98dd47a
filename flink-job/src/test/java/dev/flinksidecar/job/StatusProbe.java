package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * An operator for tests on a MiniCluster: passes events, watermarks and watermark statuses on, and
 * notes the last status each of its subtasks passed, so that the test can wait until the source
 * before it is idle. Its notes live in this JVM under the probe's name: {@link #create()} a probe
 * for each job, {@link #forget()} it after. The test's thread calls those and {@link #awaitIdle};
 * the task threads the rest.
 */
final class StatusProbe extends AbstractStreamOperator<EventRecord>
        implements OneInputStreamOperator<EventRecord, EventRecord> {

    private static final long serialVersionUID = 1L;
    private static final AtomicLong NAMES = new AtomicLong();

    /** By probe name: each subtask's last status, true when idle. */
    private static final Map<String, Map<Integer, Boolean>> IDLE = new ConcurrentHashMap<>();

    private final String name;

    private StatusProbe(String name) {
        this.name = name;
    }

    static StatusProbe create() {
        StatusProbe probe = new StatusProbe("probe-" + NAMES.incrementAndGet());
        IDLE.put(probe.name, new ConcurrentHashMap<>());
        return probe;
    }

    void forget() {
        IDLE.remove(name);
    }

    /**
     * Waits until each of {@code subtasks} subtasks has passed a status and the last one was idle.
     */
    void awaitIdle(int subtasks, Duration timeout) throws InterruptedException {
        Map<Integer, Boolean> idle = IDLE.get(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (idle.size() < subtasks || idle.containsValue(false)) {
            assertThat(System.nanoTime())
                    .as("%d subtasks idle within %s (%s)", subtasks, timeout, idle)
                    .isLessThan(deadline);
            Thread.sleep(50); // polling the probe's notes, bounded by the deadline
        }
    }

    @Override
    public void processElement(StreamRecord<EventRecord> element) {
        output.collect(element);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        IDLE.get(name)
                .put(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), status.isIdle());
        super.processWatermarkStatus(status);
    }
}
