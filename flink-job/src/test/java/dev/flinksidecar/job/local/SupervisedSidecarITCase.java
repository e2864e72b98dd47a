package dev.flinksidecar.job.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.job.TestSidecars;
import dev.flinksidecar.operator.client.SocketConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sidecar children under {@link SupervisedSidecar}: killed with SIGKILL, crash-looping,
 * closed. Every wait is on a condition with a deadline; the deadlines only bound a broken run.
 */
class SupervisedSidecarITCase {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** Never reset by uptime: each child of these tests lives seconds, not an hour. */
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir Path dir;

    private Path socket;
    private Path rules;
    private Path log;

    @BeforeEach
    void deployThreshold() throws IOException {
        socket = dir.resolve("s.sock");
        rules = dir.resolve("rules");
        log = dir.resolve("sidecar.log");
        TestSidecars.deploy(
                rules,
                "threshold",
                "threshold",
                "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 1000}");
    }

    /** Backstop for a failed test: kills what is left, then fails if anything was. */
    @AfterEach
    void noChildLeftBehind() {
        List<ProcessHandle> left = childrenOn(socket);
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left)
                .as("sidecar children still running on %s after the test", socket)
                .isEmpty();
    }

    @Test
    void aKilledChildIsBackOnTheSameSocketWithTheSameRules() throws Exception {
        try (SupervisedSidecar sidecar = start(RestartBackoff.DEFAULT)) {
            long first = sidecar.pid();
            logOnceItSays(
                    1, "accepting sessions on " + socket); // its output is out before the kill
            kill9(first);

            long second = sidecar.awaitReadyOtherThan(first, DEADLINE);

            assertThat(second).isNotEqualTo(first).isEqualTo(sidecar.pid());
            assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(sidecar.restarts()).isEqualTo(1);
            assertThat(SocketConnector.accepts(socket)).isTrue();
            assertThat(TestSidecars.admin(Path.of(socket + ".admin"), "list"))
                    .contains("threshold");
            String text = logOnceItSays(2, "accepting sessions on " + socket);
            assertThat(text)
                    .contains(
                            "flink-sidecar local mode: restart 1 after the sidecar (pid "
                                    + first
                                    + ") exited with code 137 (signal 9, SIGKILL)");
            // both children's output is in the one log, the restart marker between them
            assertThat(count(text, "accepting sessions on " + socket)).isEqualTo(2);
            assertThat(text.indexOf("restart 1 after"))
                    .isBetween(
                            text.indexOf("accepting sessions on"),
                            text.lastIndexOf("accepting sessions on"));
        }
    }

    @Test
    void killedAgainAndAgainComesBackEachTimeWithAGrowingBackoff() throws Exception {
        try (SupervisedSidecar sidecar =
                start(new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), NEVER))) {
            List<Long> pids = new ArrayList<>(List.of(sidecar.pid()));
            for (int kill = 1; kill <= 3; kill++) {
                long victim = pids.get(pids.size() - 1);
                logOnceItSays(
                        kill,
                        "accepting sessions on " + socket); // its output is out before the kill
                kill9(victim);
                pids.add(sidecar.awaitReadyOtherThan(victim, DEADLINE));
                assertThat(sidecar.restarts()).isEqualTo(kill);
                assertThat(SocketConnector.accepts(socket)).isTrue();
            }
            assertThat(pids).doesNotHaveDuplicates().hasSize(4);
            assertThat(millis(sidecar.awaitRestartWaits(3, DEADLINE)))
                    .containsExactly(100L, 200L, 400L);
            assertThat(
                            count(
                                    logOnceItSays(4, "accepting sessions on " + socket),
                                    "accepting sessions on " + socket))
                    .isEqualTo(4);
        }
    }

    @Test
    void theBackoffStartsOverAfterAChildThatStayedUp() throws Exception {
        // resetAfter zero: every child that became ready "stayed up" long enough
        try (SupervisedSidecar sidecar =
                start(
                        new RestartBackoff(
                                Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ZERO))) {
            for (int kill = 1; kill <= 2; kill++) {
                long victim = sidecar.pid();
                kill9(victim);
                sidecar.awaitReadyOtherThan(victim, DEADLINE);
            }
            assertThat(millis(sidecar.awaitRestartWaits(2, DEADLINE))).containsExactly(100L, 100L);
        }
    }

    @Test
    void aChildThatExitsAtOnceIsRestartedEverLessOftenAndComesBackWhenTheCauseIsGone()
            throws Exception {
        try (SupervisedSidecar sidecar =
                start(new RestartBackoff(Duration.ofMillis(100), Duration.ofMillis(800), NEVER))) {
            long first = sidecar.pid();
            Path away = Files.move(rules, dir.resolve("rules-away"));
            long killedAt = System.nanoTime();
            kill9(first);

            List<Duration> waits = sidecar.awaitRestartWaits(6, DEADLINE);
            long elapsedMs = (System.nanoTime() - killedAt) / 1_000_000;

            // not a hot loop: the waits double up to the max, and the five children started
            // before the sixth wait took at least the five waits before them
            assertThat(millis(waits).subList(0, 6))
                    .containsExactly(100L, 200L, 400L, 800L, 800L, 800L);
            assertThat(elapsedMs).isGreaterThanOrEqualTo(100 + 200 + 400 + 800 + 800);
            String text = Files.readString(log);
            assertThat(count(text, "rules directory " + rules.toAbsolutePath() + " does not exist"))
                    .isGreaterThanOrEqualTo(5);
            assertThat(text)
                    .contains("restart 2 after the sidecar (pid ")
                    .contains(") exited with code 2 ===");

            Files.move(away, rules);
            long back = sidecar.awaitReadyOtherThan(first, DEADLINE);
            assertThat(back).isNotEqualTo(first);
            assertThat(sidecar.restarts()).isGreaterThanOrEqualTo(6);
            assertThat(SocketConnector.accepts(socket)).isTrue();
        }
        assertThat(childrenOn(socket)).isEmpty();
        assertThat(socket).doesNotExist();
    }

    @Test
    void closeStopsTheChildForGood() throws Exception {
        SupervisedSidecar sidecar = start(RestartBackoff.DEFAULT);
        try {
            long pid = sidecar.pid();

            sidecar.close();

            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(sidecar.isSupervising()).isFalse();
            assertThat(sidecar.restarts()).isZero();
            assertThat(sidecar.pid()).isEqualTo(pid);
            assertThat(childrenOn(socket)).isEmpty();
            assertThat(socket).doesNotExist();
            assertThat(Path.of(socket + ".admin")).doesNotExist();
            assertThatThrownBy(() -> sidecar.awaitReadyOtherThan(pid, DEADLINE))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            sidecar.close(); // again: idempotent
        }
    }

    @Test
    void closeDuringTheBackoffStartsNothingAndRemovesTheStaleSocket() throws Exception {
        SupervisedSidecar sidecar = start(new RestartBackoff(NEVER, NEVER, NEVER));
        try {
            kill9(sidecar.pid());
            assertThat(millis(sidecar.awaitRestartWaits(1, DEADLINE)))
                    .containsExactly(NEVER.toMillis());

            sidecar.close();

            assertThat(sidecar.isSupervising()).isFalse();
            assertThat(sidecar.restarts()).isZero();
            assertThat(childrenOn(socket)).isEmpty();
            assertThat(socket).doesNotExist();
            assertThat(Path.of(socket + ".admin")).doesNotExist();
        } finally {
            sidecar.close();
        }
    }

    @Test
    void aSidecarThatCannotStartAtAllIsNotSupervised() {
        Path missing = dir.resolve("no-such-rules");

        assertThatThrownBy(
                        () ->
                                SupervisedSidecar.start(
                                        TestSidecars.command(dir),
                                        socket,
                                        missing,
                                        log,
                                        START_TIMEOUT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "exited with code 2 before it accepted connections on " + socket)
                .hasMessageContaining(
                        "rules directory " + missing.toAbsolutePath() + " does not exist");
        assertThat(childrenOn(socket)).isEmpty();
    }

    private SupervisedSidecar start(RestartBackoff backoff)
            throws IOException, InterruptedException {
        return SupervisedSidecar.start(
                TestSidecars.command(dir), socket, rules, log, START_TIMEOUT, backoff);
    }

    private static void kill9(long pid) {
        ProcessHandle child =
                ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        assertThat(child.destroyForcibly()).as("SIGKILL to %d", pid).isTrue();
    }

    /**
     * This JVM's descendants whose command line names {@code socket}: the sidecars of this test.
     */
    private static List<ProcessHandle> childrenOn(Path socket) {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(c -> c.contains(socket.toString()))
                                        .orElse(false))
                .toList();
    }

    private static List<Long> millis(List<Duration> durations) {
        return durations.stream().map(Duration::toMillis).toList();
    }

    /**
     * The log once it holds {@code part} {@code times} times (a child may accept on its socket a
     * moment before its log line is written), or as it is at the deadline.
     */
    private String logOnceItSays(int times, String part) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String text = Files.readString(log);
        while (count(text, part) < times && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the file, bounded by the deadline
            text = Files.readString(log);
        }
        return text;
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }
}
