package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.types.EventRecordSerializer;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.operator.types.ResultRecordSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** The sidecar operator in Flink's keyed test harness, with a {@link TestingSidecarRunner}. */
final class OperatorHarness implements AutoCloseable {

    final KeyedOneInputStreamOperatorTestHarness<String, EventRecord, ResultRecord> harness;
    final TestingSidecarRunner runner;

    OperatorHarness(TestingSidecarRunner runner, SidecarOperatorOptions options) throws Exception {
        this(runner, options, false);
    }

    /**
     * With {@code checkpointing}, the job's configuration names a checkpoint interval, as a
     * checkpointing job's does.
     */
    OperatorHarness(
            TestingSidecarRunner runner, SidecarOperatorOptions options, boolean checkpointing)
            throws Exception {
        this(runner, options, checkpointing, null);
    }

    /** As above, restored from {@code snapshot} when it is not null. */
    OperatorHarness(
            TestingSidecarRunner runner,
            SidecarOperatorOptions options,
            boolean checkpointing,
            OperatorSubtaskState snapshot)
            throws Exception {
        this.runner = runner;
        this.harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SidecarOperatorFactory(options, runner.factory()),
                        (KeySelector<EventRecord, String>) EventRecord::key,
                        Types.STRING,
                        EventRecordSerializer.INSTANCE);
        if (checkpointing) {
            harness.getEnvironment()
                    .getJobConfiguration()
                    .set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        }
        harness.setup(ResultRecordSerializer.INSTANCE);
        if (snapshot != null) {
            harness.initializeState(snapshot);
        }
        harness.open();
    }

    static EventRecord event(String key, long time) {
        return EventRecord.builder(key, time).type("payment").set("amount", 10.0).build();
    }

    static EventRecord event(String key, long time, String type) {
        return EventRecord.builder(key, time).type(type).build();
    }

    void process(EventRecord event) throws Exception {
        harness.processElement(event, event.time());
    }

    /** Runs the mails that are in the mailbox now (replies already delivered), on this thread. */
    void runMails() throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    /** Releases {@code n} held replies and runs their mails. */
    void reply(int n) throws Exception {
        runner.release(n);
        runMails();
    }

    /**
     * The output so far: results as "key@time", watermarks as "W<ts>", status changes as
     * "IDLE"/"ACTIVE".
     */
    List<String> output() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark) {
                out.add("W" + ((Watermark) o).getTimestamp());
            } else if (o instanceof WatermarkStatus) {
                out.add(((WatermarkStatus) o).isIdle() ? "IDLE" : "ACTIVE");
            } else {
                ResultRecord r = (ResultRecord) ((StreamRecord<?>) o).getValue();
                out.add(r.key() + "@" + r.time());
            }
        }
        return out;
    }

    List<String> deadLetters() {
        List<String> out = new ArrayList<>();
        for (StreamRecord<String> r : harness.getSideOutput(SidecarOperator.DEAD_LETTERS)) {
            out.add(r.getValue());
        }
        return out;
    }

    List<String> lateEvents() {
        List<String> out = new ArrayList<>();
        if (harness.getSideOutput(SidecarOperator.LATE_EVENTS) != null) {
            for (StreamRecord<String> r : harness.getSideOutput(SidecarOperator.LATE_EVENTS)) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
