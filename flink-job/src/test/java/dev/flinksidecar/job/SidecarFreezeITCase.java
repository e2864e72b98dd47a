package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.operator.SidecarOperator;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A frozen sidecar ({@code SIGSTOP}) only delays the job: frozen for ten seconds at a fixed rate,
 * and frozen while the operator waits in a full socket at full rate (see {@link RecoveryScenarios}
 * for the job both run). The job runs with Flink's restart strategy "none" and its exception
 * history must be empty.
 */
@Timeout(900)
class SidecarFreezeITCase extends RecoveryScenarios {

    @Test
    void aSidecarFrozenForTenSecondsOnlyDelaysTheJob(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Job job = new Job(tmp.resolve("frozen")).rate(40_000);
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        double[] maxInFlight = {0, 0};
        List<Double> resultsWhileFrozen = new ArrayList<>();
        job.run(
                cluster,
                (client, sidecar) -> {
                    String operator = SidecarStreams.OPERATOR_NAME;
                    awaitResults(rest, client, 1);
                    signal("STOP", sidecar.pid());
                    try {
                        // the freeze lasts 10 s; meanwhile the operator's gauges are read twice a
                        // second. The REST
                        // API answers with what it fetched at the previous request, so readings
                        // from 2 s on are
                        // all of the frozen sidecar.
                        long start = System.nanoTime();
                        long settled = start + TimeUnit.SECONDS.toNanos(2);
                        long end = start + TimeUnit.SECONDS.toNanos(10);
                        while (System.nanoTime() < end) {
                            rest.max(
                                            client.getJobID(),
                                            operator,
                                            operator,
                                            "sidecarInFlightBatches")
                                    .ifPresent(v -> maxInFlight[0] = Math.max(maxInFlight[0], v));
                            rest.max(client.getJobID(), operator, operator, "sidecarInFlightBytes")
                                    .ifPresent(v -> maxInFlight[1] = Math.max(maxInFlight[1], v));
                            if (System.nanoTime() > settled) {
                                resultsWhileFrozen.add(
                                        rest.max(
                                                        client.getJobID(),
                                                        operator,
                                                        operator,
                                                        "sidecarResults")
                                                .orElse(0));
                            }
                            Thread.sleep(500);
                        }
                    } finally {
                        signal("CONT", sidecar.pid());
                    }
                    return 0;
                });
        assertThat(job.restarts).as("job restarts: %s", job.exceptions).isZero();
        // a subtask may spend the whole freeze waiting for a checkpoint barrier's answer, with no
        // batch in
        // flight; so the bound is checked, and that nothing came back, not that batches were in
        // flight
        assertThat(resultsWhileFrozen)
                .as("readings while the sidecar was frozen")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(resultsWhileFrozen)
                .as("results emitted, read while the sidecar was frozen")
                .containsOnly(resultsWhileFrozen.get(0));
        SidecarOperatorOptions defaults = SidecarOperatorOptions.defaults();
        assertThat(maxInFlight[0])
                .as("batches in flight while frozen (the cap held; the rest waited upstream)")
                .isLessThanOrEqualTo(defaults.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BATCHES));
        assertThat(maxInFlight[1])
                .as("bytes in flight while frozen")
                .isLessThanOrEqualTo(
                        defaults.get(SidecarOperatorOptions.MAX_IN_FLIGHT_BYTES).getBytes());
        assertSameMultiset("results after a 10 s freeze", job.results(), reference(cluster));
    }

    /**
     * The sidecar frozen while the operator writes to it at full rate: the operator goes on sending
     * batches into its in-flight window (1,000 batches here, far more than the socket's buffers
     * hold) until the socket is full, and the task thread then waits in a socket write, where no
     * mailbox timer runs. The write watchdog closes the connection answer-timeout after the last
     * byte moved, the write fails, and the session counts as broken (the line that says so may come
     * from the mailbox's watchdog: its timer, due while the task thread waited, runs first once the
     * write has failed). Once the sidecar resumes, the new session takes over and the output is
     * exact, without a job restart. The test sees a task thread wait in a socket write for a second
     * after the freeze and leave it, and a session break, while the sidecar is still frozen; it
     * prints when. Without the write watchdog that thread would leave the write only once the
     * sidecar resumes.
     *
     * <p>For a task thread to meet the freeze in a write, the socket must fill before
     * answer-timeout (2 s) passes: the events carry a payload of 200 bytes (no rule reads it), so
     * the socket's buffers (about 200 KB) fill within a few thousand events, and the freeze comes
     * well into the run, where the input flows at full rate. Once one subtask waits in a write, the
     * source waits for it too, so the other subtask may get no more input and meet the freeze in
     * its mailbox. The first checkpoint comes a minute after the start, after the freeze: a
     * checkpoint barrier during the freeze would have the task thread wait for the sidecar's
     * acknowledgement in its mailbox too. Until then every batch stays in the resend log: the whole
     * input is 200 MB, so replay-buffer is set above that.
     */
    @Test
    void aSidecarFrozenWhileTheOperatorWaitsInASocketWriteIsDetectedAtTheAnswerTimeout(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Duration answerTimeout = Duration.ofSeconds(2);
        Job job =
                new Job(tmp.resolve("frozen-in-write"))
                        .payloadBytes(200)
                        .checkpointsEvery(Duration.ofMinutes(1))
                        .replayBuffer("512mb")
                        .options(
                                options ->
                                        options.with(
                                                        SidecarOperatorOptions.ANSWER_TIMEOUT,
                                                        answerTimeout)
                                                .with(
                                                        SidecarOperatorOptions
                                                                .MAX_IN_FLIGHT_BATCHES,
                                                        1_000));
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        String[] detection = new String[1];
        String[] writer = new String[1];
        try (CapturedLog log = new CapturedLog(SidecarOperator.class.getName())) {
            job.run(
                    cluster,
                    (client, sidecar) -> {
                        // well into the run, where the input flows at full rate
                        awaitResults(rest, client, 10_000);
                        long pid = sidecar.pid();
                        signal("STOP", pid);
                        long frozen = System.nanoTime();
                        try {
                            // until a task thread that waited in a socket write for a second has
                            // left it, and a session broke, while the sidecar is still frozen (a
                            // deadline, not a measurement); without the write watchdog it would
                            // leave only when the sidecar resumes
                            long deadline = frozen + answerTimeout.plusSeconds(15).toNanos();
                            Stuck stuck = new Stuck(Duration.ofSeconds(1));
                            long released = 0;
                            Optional<CapturedLog.Line> broke = Optional.empty();
                            while (released == 0 || broke.isEmpty()) {
                                Set<String> writing = threadsInASocketWrite();
                                if (writer[0] == null) {
                                    writer[0] = stuck.update(writing);
                                } else if (released == 0 && !writing.contains(writer[0])) {
                                    released = System.nanoTime();
                                }
                                broke = log.first(frozen, line -> line.contains(" broke ("));
                                assertThat(System.nanoTime())
                                        .as(
                                                "within %s of the freeze, a task thread stuck in a"
                                                        + " socket write (%s) released, and a"
                                                        + " session broken; lines: %s",
                                                answerTimeout.plusSeconds(15),
                                                writer[0],
                                                log.lines())
                                        .isLessThan(deadline);
                                Thread.sleep(10); // sampling the threads, bounded by the deadline
                            }
                            detection[0] =
                                    String.format(
                                            "%s waited in a socket write after the freeze and left"
                                                    + " it %d ms after the freeze; a session broke"
                                                    + " %d ms after the freeze (answer-timeout %d"
                                                    + " ms): %s",
                                            writer[0],
                                            TimeUnit.NANOSECONDS.toMillis(released - frozen),
                                            TimeUnit.NANOSECONDS.toMillis(
                                                    broke.get().nanos() - frozen),
                                            answerTimeout.toMillis(),
                                            broke.get().text());
                        } finally {
                            signal("CONT", pid);
                        }
                        return 0;
                    });
        }
        System.out.println(detection[0]);
        assertThat(job.restarts).as("job restarts: %s", job.exceptions).isZero();
        assertSameMultiset(
                "results after a freeze during a socket write", job.results(), reference(cluster));
    }

    /**
     * The threads of this JVM (where the MiniCluster's tasks run) inside a write to the sidecar's
     * socket right now: in the client's output stream, in the JDK's socket code.
     */
    private static Set<String> threadsInASocketWrite() {
        Set<String> writing = new HashSet<>();
        for (Map.Entry<Thread, StackTraceElement[]> thread :
                Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] stack = thread.getValue();
            if (stack.length > 0
                    && stack[0].getClassName().startsWith("sun.nio.ch.")
                    && Arrays.stream(stack).anyMatch(SidecarFreezeITCase::isClientWrite)) {
                writing.add(thread.getKey().getName());
            }
        }
        return writing;
    }

    /** Which of the threads seen in one place has stayed there for at least a given time. */
    private static final class Stuck {
        private final long forNanos;
        private final Map<String, Long> since = new HashMap<>();

        Stuck(Duration time) {
            this.forNanos = time.toNanos();
        }

        /**
         * Takes the threads seen there now; returns one that has been there since at least the
         * given time ago, at every update, or null.
         */
        String update(Set<String> there) {
            long now = System.nanoTime();
            since.keySet().retainAll(there);
            for (String thread : there) {
                since.putIfAbsent(thread, now);
                if (now - since.get(thread) >= forNanos) {
                    return thread;
                }
            }
            return null;
        }
    }

    private static boolean isClientWrite(StackTraceElement frame) {
        return frame.getClassName().equals("dev.flinksidecar.operator.client.ChannelStreams$Output")
                && frame.getMethodName().equals("write");
    }

    /**
     * Waits until a subtask of the operator has emitted at least {@code results} results (read from
     * the job's metrics).
     */
    private static void awaitResults(FlinkRest rest, JobClient client, long results)
            throws Exception {
        String operator = SidecarStreams.OPERATOR_NAME;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (rest.max(client.getJobID(), operator, operator, "sidecarResults").orElse(0)
                < results) {
            assertThat(System.nanoTime())
                    .as("results flowing within a minute")
                    .isLessThan(deadline);
            Thread.sleep(100); // polling the job's metrics, bounded by the deadline
        }
    }
}
