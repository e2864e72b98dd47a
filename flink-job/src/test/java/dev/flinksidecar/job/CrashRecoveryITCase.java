package dev.flinksidecar.job;

import static dev.flinksidecar.job.LineAssertions.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.operator.SidecarStreams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once sidecar state and a sidecar crash that costs latency, not a job restart: the sidecar
 * killed ten times under a running job, failures inside the job, a savepoint restored at another
 * parallelism, and a replay buffer too small to resend from (see {@link RecoveryScenarios} for the
 * job every scenario runs).
 *
 * <p>The scenarios that disturb the sidecar run the source at a fixed rate, so that the job lasts
 * long enough for them; the pauses between disturbances are the scenario's schedule, not a way to
 * wait for something. A job that must not restart runs with Flink's restart strategy "none": any
 * task failure would fail it; and its exception history must be empty.
 */
@Timeout(900)
class CrashRecoveryITCase extends RecoveryScenarios {

    @Test
    void sidecarKilledTenTimesTheJobNeverRestartsAndTheOutputIsExact(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Job job = new Job(tmp.resolve("killed")).rate(30_000);
        Random random = new Random(42);
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        int kills =
                job.run(
                        cluster,
                        (client, sidecar) -> {
                            // the kills are of running sessions: a subtask that cannot open its
                            // first one fails, as it should
                            rest.awaitRunning(
                                    client.getJobID(),
                                    SidecarStreams.OPERATOR_NAME,
                                    job.parallelism);
                            int done = 0;
                            while (done < 10
                                    && !client.getJobStatus().get().isGloballyTerminalState()) {
                                Thread.sleep(
                                        300 + random.nextInt(1_200)); // the schedule of the kills
                                long pid = sidecar.pid();
                                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                                sidecar.awaitReadyOtherThan(pid, Duration.ofMinutes(1));
                                done++;
                            }
                            return done;
                        });
        assertThat(kills).as("sidecar kills while the job ran").isEqualTo(10);
        assertThat(job.restarts).as("job restarts: %s", job.exceptions).isZero();
        assertSameMultiset("results after 10 sidecar kills", job.results(), reference(cluster));
    }

    @Test
    void failuresInsideTheJobRestoreToTheSameOutput(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Job job =
                new Job(tmp.resolve("job-failures"))
                        .rate(200_000)
                        .failEvery(120_000, 10)
                        .restartAttempts(20);
        job.run(cluster, (client, sidecar) -> 0);
        assertThat(job.forcedFailures)
                .as("forced failures before the input ran out")
                .isGreaterThanOrEqualTo(5);
        assertThat(job.restarts)
                .as("restarts, one per forced failure")
                .isEqualTo(job.forcedFailures);
        assertSameMultiset("results after 10 job failures", job.results(), reference(cluster));
    }

    @ParameterizedTest(name = "savepoint at parallelism 2, restored at {0}")
    @ValueSource(ints = {3, 1})
    void aSavepointRestoresAtAnotherParallelismWithEveryKeysWindows(
            int parallelism, @InjectMiniCluster MiniCluster cluster) throws Exception {
        Path dir = tmp.resolve("rescale-" + parallelism);
        Path savepoints = Files.createDirectories(dir.resolve("savepoints"));
        Job first = new Job(dir).rate(60_000);
        String[] savepoint = new String[1];
        first.run(
                cluster,
                (client, sidecar) -> {
                    Thread.sleep(4_000); // into the run: windows are open
                    savepoint[0] =
                            client.stopWithSavepoint(
                                            false,
                                            savepoints.toUri().toString(),
                                            SavepointFormatType.CANONICAL)
                                    .get(2, TimeUnit.MINUTES);
                    return 0;
                });
        Job second = new Job(dir).parallelism(parallelism).restoreFrom(savepoint[0]);
        second.run(cluster, (client, sidecar) -> 0);
        assertSameMultiset(
                "results across a savepoint, rescaled from 2 to " + parallelism,
                second.results(),
                reference(cluster));
    }

    @Test
    void whenTheReplayBufferIsExceededTheTaskFailsClearlyAndFlinkRecovers(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Job job =
                new Job(tmp.resolve("fallback"))
                        .rate(40_000)
                        .replayBuffer("1kb")
                        .restartAttempts(3);
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        job.run(
                cluster,
                (client, sidecar) -> {
                    rest.awaitRunning(
                            client.getJobID(), SidecarStreams.OPERATOR_NAME, job.parallelism);
                    Thread.sleep(3_000); // into the run
                    long pid = sidecar.pid();
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    sidecar.awaitReadyOtherThan(pid, Duration.ofMinutes(1));
                    return 1;
                });
        assertThat(job.restarts).as("Flink restarted the job once").isPositive();
        assertThat(job.exceptions)
                .anySatisfy(
                        message ->
                                assertThat(message)
                                        .contains("cannot be resent")
                                        .contains("sidecar.operator.replay-buffer"));
        assertSameMultiset("results after the fallback", job.results(), reference(cluster));
    }
}
