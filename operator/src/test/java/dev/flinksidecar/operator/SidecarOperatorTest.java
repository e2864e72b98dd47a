package dev.flinksidecar.operator;

import static dev.flinksidecar.operator.OperatorHarness.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.client.SidecarSessionException;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.proto.KeyState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sidecar operator under Flink's keyed test harness with an in-process runner: batching, order,
 * watermarks in band and their holding, late events, backpressure, draining. Replies are delivered
 * by the test, so every step is deterministic.
 */
@Timeout(60)
class SidecarOperatorTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static SidecarOperatorOptions options(int maxEvents, int maxInFlight) {
        return SidecarOperatorOptions.defaults()
                .with(SidecarOperatorOptions.BATCH_MAX_EVENTS, maxEvents)
                .with(SidecarOperatorOptions.MAX_IN_FLIGHT_BATCHES, maxInFlight)
                .with(SidecarOperatorOptions.BATCH_MAX_DELAY, Duration.ofMillis(5));
    }

    @Test
    void sendsAnEventAtOnceWhenNothingIsInFlight() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            for (int i = 0; i < 3; i++) {
                h.process(event("k" + i, i));
                assertThat(h.runner.sent()).hasSize(i + 1);
                assertThat(h.runner.sent().get(i).events()).hasSize(1);
                h.reply(1);
            }
            assertThat(h.output()).containsExactly("k0@0", "k1@1", "k2@2");
        }
    }

    @Test
    void gathersEventsWhileABatchIsInFlightAndSendsThemWhenTheReplyComes() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.process(event("a", 1));
            h.process(event("b", 2));
            h.process(event("c", 3));
            assertThat(h.runner.sent()).hasSize(1);

            h.reply(1); // frees the slot: the open batch goes at once
            assertThat(h.runner.sent()).hasSize(2);
            assertThat(h.runner.sent().get(1).events())
                    .extracting(EventRecord::key)
                    .containsExactly("b", "c");
            h.reply(1);
            assertThat(h.output()).containsExactly("a@1", "b@2", "c@3");
        }
    }

    @Test
    void sendsAFullBatchWhileOthersAreInFlight() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(2, 4))) {
            for (int i = 0; i < 5; i++) {
                h.process(event("k", i));
            }
            // [0] at once, then [1,2] and [3,4] when full
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(1, 2, 2);
            h.reply(3);
            assertThat(h.output()).containsExactly("k@0", "k@1", "k@2", "k@3", "k@4");
        }
    }

    @Test
    void keepsAtMostOneBatchThatIsNotFullInFlight() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(3, 4))) {
            for (int i = 0; i < 5; i++) {
                h.process(event("k", i));
            }
            // [0] at once, [1,2,3] when full, 4 waits in the open batch
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(1, 3);

            h.reply(1); // a slot is free, but [1,2,3] is still in flight and the open batch not
            // full
            assertThat(h.runner.sent()).hasSize(2);
            h.process(event("k", 5)); // gathers too
            assertThat(h.runner.sent()).hasSize(2);

            h.reply(1); // nothing in flight any more: the open batch goes, whatever its size
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(1, 3, 2);
            h.reply(1);
            assertThat(h.output()).containsExactly("k@0", "k@1", "k@2", "k@3", "k@4", "k@5");
        }
    }

    @Test
    void fillsTheOpenBatchWhileMoreInputWaits() throws Exception {
        AtomicBoolean inputWaits = new AtomicBoolean(true);
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(3, 4))) {
            ((SidecarOperator) h.harness.getOperator()).inputBacklog(inputWaits::get);
            h.process(event("k", 0));
            h.process(event("k", 1));
            // nothing in flight, but the task is behind its input: the batch fills first
            assertThat(h.runner.sent()).isEmpty();
            h.process(event("k", 2));
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(3);

            h.process(event("k", 3));
            h.reply(1); // nothing in flight, input still waits: [3] keeps filling
            assertThat(h.runner.sent()).hasSize(1);

            inputWaits.set(false);
            h.process(event("k", 4)); // caught up: the open batch goes, whatever its size
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(3, 2);
            h.process(event("k", 5)); // one in flight: gathers, as without backlog
            h.reply(1);
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(3, 2, 1);
            h.reply(1);
            assertThat(h.output()).containsExactly("k@0", "k@1", "k@2", "k@3", "k@4", "k@5");
        }
    }

    @Test
    void aBatchFillingUnderBacklogWaitsAtMostMaxDelay() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            ((SidecarOperator) h.harness.getOperator()).inputBacklog(() -> true);
            h.harness.setProcessingTime(1000);
            h.process(event("a", 1));
            h.harness.setProcessingTime(1004);
            assertThat(h.runner.sent()).isEmpty();
            h.harness.setProcessingTime(1005);
            assertThat(h.runner.sent()).extracting(s -> s.events().size()).containsExactly(1);
            h.reply(1);
            assertThat(h.output()).containsExactly("a@1");
        }
    }

    @Test
    void sendsAnOpenBatchWhenMaxDelayPasses() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.harness.setProcessingTime(1000);
            h.process(event("a", 1));
            h.process(event("b", 2));
            assertThat(h.runner.sent()).hasSize(1);
            h.harness.setProcessingTime(1004);
            assertThat(h.runner.sent()).hasSize(1);
            h.harness.setProcessingTime(1005);
            assertThat(h.runner.sent()).hasSize(2);
            h.reply(2);
            assertThat(h.output()).containsExactly("a@1", "b@2");
        }
    }

    @Test
    void emitsResultsInInputOrderAcrossBatchesAndKeys() throws Exception {
        List<String> expected = new ArrayList<>();
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(3, 3))) {
            for (int i = 0; i < 30; i++) {
                String key = "k" + (i * 7 % 5);
                h.process(event(key, i));
                expected.add(key + "@" + i);
                if (i % 4 == 3) {
                    h.reply(h.runner.held());
                }
            }
            while (h.runner.held() > 0) { // each reply may send the open batch
                h.reply(h.runner.held());
            }
            assertThat(h.output()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void holdsAWatermarkUntilTheResultsBeforeItAreOut() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.process(event("a", 5));
            h.process(event("b", 8)); // open batch behind the one in flight
            h.harness.processWatermark(9);

            // the watermark joins the open batch after its events; it does not end the batch
            assertThat(h.runner.sent()).hasSize(1);
            h.process(event("c", 12));
            assertThat(h.output()).isEmpty();

            h.reply(1); // frees the slot: b, W9, c go together
            assertThat(h.output()).containsExactly("a@5");
            assertThat(h.runner.sent()).hasSize(2);
            assertThat(h.runner.sent().get(1).events())
                    .extracting(EventRecord::key)
                    .containsExactly("b", "c");
            assertThat(h.runner.sent().get(1).watermarks())
                    .containsExactly(new TestingSidecarRunner.Mark(1, 9));
            h.reply(1);
            assertThat(h.output()).containsExactly("a@5", "b@8", "W9", "c@12");
        }
    }

    /** --deterministic-watermarks: a watermark after every event; batches still fill up. */
    @Test
    void batchesEventsAndTheirWatermarksTogether() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                h.process(event("k" + i % 3, i));
                h.harness.processWatermark(i - 1);
                expected.add("k" + i % 3 + "@" + i);
                expected.add("W" + (i - 1));
            }
            assertThat(h.runner.sent()).hasSize(1); // e1 at once; the rest wait for a slot
            h.reply(1);
            assertThat(h.runner.sent()).hasSize(2);
            assertThat(h.runner.sent().get(1).events()).hasSize(19);
            assertThat(h.runner.sent().get(1).watermarks())
                    .hasSize(20)
                    .first()
                    .isEqualTo(new TestingSidecarRunner.Mark(0, 0));
            h.reply(1);
            assertThat(h.output()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void emitsEachWatermarkAfterTheWindowsItFiredAndBeforeLaterResults() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(
                        TestingSidecarRunner.manual().firingOnWatermarks(), options(100, 4))) {
            h.process(event("x", 0)); // in flight, so the rest gathers in one batch
            h.process(event("a", 1));
            h.harness.processWatermark(5);
            h.process(event("b", 6));
            h.harness.processWatermark(
                    7); // after the last event: its window's event_index is the batch size
            h.reply(1);
            h.reply(1);
            assertThat(h.runner.sent().get(1).watermarks())
                    .containsExactly(
                            new TestingSidecarRunner.Mark(1, 5),
                            new TestingSidecarRunner.Mark(2, 7));
            assertThat(h.output())
                    .containsExactly("x@0", "a@1", "window@5", "W5", "b@6", "window@7", "W7");
        }
    }

    @Test
    void forwardsAWatermarkWithoutEventsToTheSidecarToo() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(
                        TestingSidecarRunner.manual().firingOnWatermarks(), options(100, 4))) {
            h.harness.processWatermark(100);
            assertThat(h.runner.sent())
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.events()).isEmpty();
                                assertThat(s.watermarks())
                                        .containsExactly(new TestingSidecarRunner.Mark(0, 100));
                            });
            assertThat(h.output()).isEmpty();
            h.reply(1);
            assertThat(h.output()).containsExactly("window@100", "W100");
        }
    }

    @Test
    void sendsLateEventsToTheirSideOutputAsReplayWritesThem() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.process(event("a", 10));
            h.process(OperatorHarness.event("b", 2, "late"));
            h.reply(1);
            h.reply(1);
            assertThat(h.output()).containsExactly("a@10");
            assertThat(h.lateEvents())
                    .containsExactly(
                            "{\"rule\":\"echo\",\"version\":\"1\",\"event\":{\"key\":\"b\",\"time\":2,\"type\":\"late\"}}");
        }
    }

    @Test
    void emitsAWatermarkStatusChangeAfterTheResultsBeforeIt() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.harness.processWatermarkStatus(WatermarkStatus.IDLE); // nothing pending: at once
            assertThat(h.output()).containsExactly("IDLE");
            h.harness.processWatermarkStatus(WatermarkStatus.ACTIVE);
            h.process(event("a", 1));
            h.process(event("b", 2));
            h.harness.processWatermark(2);
            h.harness.processWatermarkStatus(WatermarkStatus.IDLE); // ends the open batch
            assertThat(h.runner.sent()).hasSize(2);
            assertThat(h.output()).containsExactly("IDLE", "ACTIVE");
            h.reply(2);
            assertThat(h.output()).containsExactly("IDLE", "ACTIVE", "a@1", "b@2", "W2", "IDLE");
        }
    }

    @Test
    void sendsDeadLettersToTheSideOutputInEventOrder() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.process(event("a", 1));
            h.process(OperatorHarness.event("b", 2, "poison"));
            h.process(OperatorHarness.event("c", 3, "quiet"));
            h.process(event("d", 4));
            h.reply(1);
            h.reply(1);
            assertThat(h.output()).containsExactly("a@1", "d@4");
            assertThat(h.deadLetters())
                    .singleElement()
                    .asString()
                    .startsWith(
                            "{\"rule\":\"echo\",\"version\":\"1\",\"reason\":\"poisoned\",\"event\":{\"key\":\"b\"");
        }
    }

    @Test
    void buildsResultLinesWithRuleAndVersion() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.process(event("card-1", 1767225600123L));
            h.reply(1);
            assertThat(h.harness.extractOutputValues())
                    .extracting(ResultRecord::json)
                    .containsExactly(
                            "{\"rule\":\"echo\",\"version\":\"1\",\"key\":\"card-1\",\"time\":1767225600123,\"batch\":1}");
        }
    }

    /**
     * With max-in-flight batches out and the open batch full, processElement does not return until
     * a reply frees a slot: it yields to the mailbox, where the reply arrives as a mail.
     */
    @Test
    void processElementWaitsInTheMailboxWhileMaxInFlightIsReached() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(1, 2))) {
            h.process(event("a", 1)); // sent at once
            h.process(event("b", 2)); // full at once, a slot is free: sent
            assertThat(h.runner.sent()).hasSize(2);

            Thread taskThread = Thread.currentThread();
            AtomicBoolean returned = new AtomicBoolean();
            AtomicReference<Throwable> replierFailure = new AtomicReference<>();
            AtomicReference<Integer> sentWhileBlocked = new AtomicReference<>();
            Thread replier =
                    new Thread(
                            () -> {
                                try {
                                    awaitCondition(
                                            () ->
                                                    taskThread.getState() == Thread.State.WAITING
                                                            || taskThread.getState()
                                                                    == Thread.State.TIMED_WAITING);
                                    sentWhileBlocked.set(h.runner.sent().size());
                                    if (returned.get()) {
                                        throw new AssertionError(
                                                "processElement returned without a reply");
                                    }
                                } catch (Throwable t) {
                                    replierFailure.set(t);
                                } finally {
                                    h.runner.release(1); // unblocks the task thread in any case
                                }
                            });
            replier.start();
            h.process(event("c", 3)); // blocks until the replier releases reply 1
            returned.set(true);
            replier.join(DEADLINE.toMillis());

            assertThat(replierFailure.get()).isNull();
            assertThat(sentWhileBlocked.get()).isEqualTo(2);
            assertThat(h.runner.log()).containsSubsequence("send 2", "reply 1", "send 3");
            assertThat(h.runner.maxOutstanding()).isEqualTo(2);
            assertThat(h.output()).containsExactly("a@1");
            h.reply(2);
            assertThat(h.output()).containsExactly("a@1", "b@2", "c@3");
        }
    }

    @Test
    void boundsInFlightBytesToo() throws Exception {
        SidecarOperatorOptions options =
                options(1, 100)
                        .with(SidecarOperatorOptions.MAX_IN_FLIGHT_BYTES, MemorySize.parse("250b"));
        try (OperatorHarness h = new OperatorHarness(TestingSidecarRunner.async(), options)) {
            for (int i = 0; i < 50; i++) {
                h.process(event("k", i)); // each event is 100 "bytes" in the testing runner
            }
            h.harness.endInput();
            assertThat(h.runner.maxOutstanding()).isLessThanOrEqualTo(2);
            assertThat(h.output()).hasSize(50);
        }
    }

    @Test
    void checkpointBarrierWaitsForEveryAnswer() throws Exception {
        try (OperatorHarness h = new OperatorHarness(TestingSidecarRunner.async(), options(3, 4))) {
            for (int i = 0; i < 20; i++) {
                h.process(event("k" + i % 3, i));
            }
            h.harness.prepareSnapshotPreBarrier(1);
            assertThat(h.output()).hasSize(20);
            int sentBefore = h.runner.sent().size();
            h.harness.snapshot(1, 1);
            assertThat(h.runner.sent()).hasSize(sentBefore);
        }
    }

    @Test
    void passesTheBarrierToTheSidecarAfterEveryAnswerAndWaitsForItsAcknowledgement()
            throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(3, 4), true)) {
            assertThat(h.runner.hello().getCheckpointBarriers()).isTrue();
            assertThat(h.runner.hello().getRestoredCheckpointId()).isZero();
            for (int i = 0; i < 7; i++) {
                h.process(event("k" + i % 3, i));
            }
            // answers are held until this thread, standing in for the socket reader, lets them go
            Thread reader =
                    new Thread(
                            () -> {
                                try {
                                    awaitCondition(
                                            () -> {
                                                h.runner.release(h.runner.held());
                                                return h.runner.log().contains("ack 7");
                                            });
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            reader.start();
            h.harness.prepareSnapshotPreBarrier(7);
            reader.join();
            assertThat(h.output()).hasSize(7);
            List<String> log = h.runner.log();
            int barrier = log.indexOf("barrier 7");
            assertThat(log.subList(barrier + 1, log.size()))
                    .as("nothing is sent after the barrier")
                    .noneMatch(line -> line.startsWith("send"));
            assertThat(log.subList(log.indexOf("ack 7"), log.size()))
                    .as("the acknowledgement follows every answer")
                    .noneMatch(line -> line.startsWith("reply"));
            assertThat(log).last().isEqualTo("acknowledged");

            h.harness.notifyOfCompletedCheckpoint(7);
            assertThat(h.runner.log()).endsWith("completed 7");
        }
    }

    @Test
    void sendsNoBarriersWhenTheJobDoesNotCheckpoint() throws Exception {
        try (OperatorHarness h = new OperatorHarness(TestingSidecarRunner.async(), options(3, 4))) {
            assertThat(h.runner.hello().getCheckpointBarriers()).isFalse();
            h.process(event("k", 1));
            h.harness.prepareSnapshotPreBarrier(1);
            h.harness.notifyOfCompletedCheckpoint(1);
            assertThat(h.runner.log())
                    .noneMatch(line -> line.startsWith("barrier") || line.startsWith("completed"));
        }
    }

    @Test
    void endOfInputDrainsAndSaysGoodbye() throws Exception {
        TestingSidecarRunner runner = TestingSidecarRunner.async();
        OperatorHarness h = new OperatorHarness(runner, options(4, 2));
        for (int i = 0; i < 10; i++) {
            h.process(event("k", i));
        }
        h.harness.processWatermark(Long.MAX_VALUE);
        h.harness.endInput();
        assertThat(h.output())
                .as("the final watermark's answer is in before end of input returns")
                .hasSize(11)
                .last()
                .isEqualTo("W" + Long.MAX_VALUE);
        assertThat(runner.sent())
                .last()
                .satisfies(s -> assertThat(s.watermark()).isEqualTo(Long.MAX_VALUE));
        h.harness.getOperator().finish();
        assertThat(runner.finished()).isTrue();
        h.close();
        assertThat(runner.closed()).isTrue();
    }

    /**
     * Flink drops the final watermark of an input that is idle when it ends (its idle outputs drop
     * watermarks), so end of input sends it itself: every open window fires, and downstream gets
     * the output marked active and the final watermark.
     */
    @Test
    void anInputThatEndsIdleStillGetsTheFinalWatermark() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(
                        TestingSidecarRunner.async().firingOnWatermarks(), options(100, 4))) {
            h.process(event("a", 1));
            h.harness.processWatermark(1);
            h.harness.processWatermarkStatus(WatermarkStatus.IDLE);
            h.harness.endInput(); // as Flink ends an idle input: no final watermark before it
            assertThat(h.runner.sent())
                    .last()
                    .satisfies(s -> assertThat(s.watermark()).isEqualTo(Long.MAX_VALUE));
            assertThat(h.output())
                    .containsExactly(
                            "a@1",
                            "window@1",
                            "W1",
                            "IDLE",
                            "ACTIVE",
                            "window@" + Long.MAX_VALUE,
                            "W" + Long.MAX_VALUE);
        }
    }

    /**
     * The accumulator and its three parts are registered once, when the operator finishes, never
     * updated after; each part has every sample.
     */
    @Test
    void publishesTheLatencyAccumulatorWhenItFinishes() throws Exception {
        SidecarOperatorOptions options =
                options(4, 2).with(SidecarOperatorOptions.LATENCY_SAMPLE_INTERVAL, 1);
        try (OperatorHarness h = new OperatorHarness(TestingSidecarRunner.async(), options)) {
            for (int i = 0; i < 10; i++) {
                h.process(event("k", i));
            }
            h.harness.endInput();
            var context = h.harness.getOperator().getRuntimeContext();
            assertThat(context.getAccumulator(LatencyTracker.ACCUMULATOR)).isNull();
            h.harness.getOperator().finish();
            for (String name :
                    List.of(
                            LatencyTracker.ACCUMULATOR,
                            LatencyTracker.IN_BATCH_ACCUMULATOR,
                            LatencyTracker.ROUND_TRIP_ACCUMULATOR,
                            LatencyTracker.TO_OUTPUT_ACCUMULATOR)) {
                Histogram histogram = (Histogram) (Object) context.getAccumulator(name);
                assertThat(
                                histogram.getLocalValue().values().stream()
                                        .mapToInt(Integer::intValue)
                                        .sum())
                        .as(name)
                        .isEqualTo(10);
            }
        }
    }

    @Test
    void aBrokenSessionIsReopenedAndWhatWasEmittedIsNotEmittedAgain() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4))) {
            h.process(event("a", 1));
            h.reply(1);
            h.process(event("b", 2)); // batch 2, unanswered when the session breaks
            h.runner.fail(
                    new SidecarSessionException(
                            "the sidecar on /x closed the session unexpectedly"));
            h.runMails();
            assertThat(h.runner.log()).contains("reopen 0 2");
            h.reply(2); // batch 1 again (dropped: its results are out) and batch 2
            h.process(event("c", 3));
            h.reply(1);
            assertThat(h.output()).containsExactly("a@1", "b@2", "c@3");
        }
    }

    @Test
    void batchesSentAgainWhoseAnswersDifferFailTheTask() throws Exception {
        OperatorHarness h = new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4));
        h.process(event("a", 1));
        h.reply(1);
        h.runner.divergeOnResend();
        h.runner.fail(
                new SidecarSessionException("the sidecar on /x closed the session unexpectedly"));
        h.runMails();
        h.runner.release(1);
        assertThatThrownBy(h::runMails)
                .isInstanceOf(SidecarSessionException.class)
                .hasMessageContaining("diverged at batch 1");
        h.runner.close();
    }

    @Test
    void aBrokenSessionFailsTheTaskWhenMoreWasSentSinceTheBarrierThanTheReplayBufferHolds()
            throws Exception {
        OperatorHarness h =
                new OperatorHarness(
                        TestingSidecarRunner.manual().replayBuffer(150), options(100, 4));
        h.process(event("a", 1));
        h.reply(1);
        h.process(event("b", 2)); // 200 bytes since the session's start, over 150
        h.runner.fail(
                new SidecarSessionException("the sidecar on /x closed the session unexpectedly"));
        assertThatThrownBy(h::runMails)
                .isInstanceOf(SidecarSessionException.class)
                .hasMessageContaining("closed the session unexpectedly")
                .hasMessageContaining("cannot be resent")
                .hasMessageContaining("sidecar.operator.replay-buffer");
        // later waits fail at once instead of waiting for answers that will never come
        assertThatThrownBy(() -> h.harness.endInput()).isInstanceOf(SidecarSessionException.class);
        h.runner.close();
    }

    @Test
    void aBrokenSessionFailsTheTaskWhenNoSidecarComesBack() throws Exception {
        OperatorHarness h = new OperatorHarness(TestingSidecarRunner.manual(), options(100, 4));
        h.process(event("a", 1));
        h.runner.unavailable("no sidecar is listening on /x: the socket file does not exist");
        h.runner.fail(
                new SidecarSessionException("the sidecar on /x closed the session unexpectedly"));
        assertThatThrownBy(h::runMails)
                .isInstanceOf(SidecarSessionException.class)
                .hasMessageContaining(
                        "no new session could be opened within sidecar.operator.reconnect-timeout")
                .hasMessageContaining("the socket file does not exist");
        h.runner.close();
    }

    @Test
    void aSidecarSilentPastTheAnswerTimeoutCountsAsABrokenSession() throws Exception {
        SidecarOperatorOptions options =
                options(100, 4).with(SidecarOperatorOptions.ANSWER_TIMEOUT, Duration.ofSeconds(8));
        try (OperatorHarness h = new OperatorHarness(TestingSidecarRunner.manual(), options)) {
            h.harness.setProcessingTime(1_000);
            h.process(event("a", 1));
            h.harness.setProcessingTime(8_000); // 7 s silent: not yet
            assertThat(h.runner.log()).noneMatch(line -> line.startsWith("reopen"));
            h.harness.setProcessingTime(12_000);
            assertThat(h.runner.log()).contains("reopen 0 1");
            h.reply(1);
            assertThat(h.output()).containsExactly("a@1");
        }
    }

    @Test
    void writesTheWindowStateOfEachBarrierIntoKeyedStateAndHandsItToANewSession() throws Exception {
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.async(), options(100, 4), true)) {
            assertThat(h.runner.hello().getKeyedState()).isTrue();
            h.process(event("a", 1));
            h.process(event("b", 2));
            h.harness.processWatermark(2);
            h.runner.changesAtNextBarrier(List.of(keyState("a", "A1"), keyState("b", "B1")));
            h.harness.prepareSnapshotPreBarrier(1);
            h.process(event("a", 3));
            h.harness.processWatermark(3);
            h.runner.changesAtNextBarrier(List.of(keyState("a", "A2"), keyState("b", "")));
            h.harness.prepareSnapshotPreBarrier(2);
            h.process(event("c", 4));

            h.runner.fail(
                    new SidecarSessionException(
                            "the sidecar on /x closed the session unexpectedly"));
            awaitCondition(
                    () -> {
                        runMailsUnchecked(h);
                        return h.runner.log().stream().anyMatch(line -> line.startsWith("reopen"));
                    });
            assertThat(h.runner.restores())
                    .last()
                    .satisfies(
                            state ->
                                    assertThat(state)
                                            .as("b's windows were all purged at barrier 2")
                                            .containsExactly(keyState("a", "A2")));
            assertThat(h.runner.restoreWatermarks()).last().isEqualTo(OptionalLong.of(3));
            assertThat(h.runner.hello().getRestoredCheckpointId()).isEqualTo(2);
            awaitCondition(
                    () -> {
                        runMailsUnchecked(h);
                        return h.output().contains("c@4");
                    });
            assertThat(h.output())
                    .filteredOn(line -> !line.startsWith("W"))
                    .containsExactly("a@1", "b@2", "a@3", "c@4");
        }
    }

    @Test
    void aRestoredSubtaskHandsItsKeysStateToTheSidecarBeforeAnyEvent() throws Exception {
        OperatorSubtaskState snapshot;
        try (OperatorHarness h =
                new OperatorHarness(TestingSidecarRunner.async(), options(100, 4), true)) {
            h.process(event("a", 1));
            h.process(event("b", 2));
            h.runner.changesAtNextBarrier(List.of(keyState("a", "A1"), keyState("b", "B1")));
            h.harness.prepareSnapshotPreBarrier(5);
            snapshot = h.harness.snapshot(5, 5);
        }
        TestingSidecarRunner restored = TestingSidecarRunner.async();
        try (OperatorHarness h = new OperatorHarness(restored, options(100, 4), true, snapshot)) {
            assertThat(restored.log()).startsWith("open 0", "restore 2");
            assertThat(restored.restores().get(0))
                    .containsExactlyInAnyOrder(keyState("a", "A1"), keyState("b", "B1"));
        }
    }

    private static KeyState keyState(String key, String state) {
        return KeyState.newBuilder().setKey(key).setState(ByteString.copyFromUtf8(state)).build();
    }

    private static void runMailsUnchecked(OperatorHarness h) {
        try {
            h.runMails();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + DEADLINE);
            }
            Thread.sleep(1); // polling a thread's state; bounded by the deadline
        }
    }
}
