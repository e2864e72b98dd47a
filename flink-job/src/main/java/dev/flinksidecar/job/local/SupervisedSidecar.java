package dev.flinksidecar.job.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sidecar child process that is started again whenever it exits while the job runs (a crash,
 * {@code kill -9}, the OOM killer), as Kubernetes restarts a sidecar container: the same command,
 * socket and rules folder, after a {@link RestartBackoff}, with a warning per restart that names
 * the exit code and the child's last lines. Every child appends to the same log file, after a
 * marker line, so the log tells the whole story. A restarted child counts as ready once its socket
 * accepts, as the first one did; clients find it on the same socket path.
 *
 * <pre>
 *   start ─► child ready ─► child exits ─► closed? ─yes─► done
 *              ▲                               │ no
 *              │                               ▼
 *              └── socket accepts ◄── launch ◄── wait backoff (close() cuts it short)
 * </pre>
 *
 * <p>{@link #close()} stops the current child with SIGTERM (SIGKILL after a grace period) and no
 * child starts after it; a JVM shutdown hook does the same on Ctrl-C. A watcher thread ({@code
 * sidecar-supervisor}) waits on the child and restarts it; every other method may be called from
 * any thread.
 */
public final class SupervisedSidecar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SupervisedSidecar.class);
    private static final long NONE = -1;

    /**
     * Upper bound for close() to wait for the watcher after the child stopped; it only has to
     * notice.
     */
    private static final Duration WATCHER_EXIT = Duration.ofSeconds(10);

    private final List<String> command;
    private final Path socket;
    private final Path rulesDir;
    private final Path log;
    private final Duration startTimeout;
    private final RestartBackoff backoff;
    private final Thread watcher;
    private final Thread shutdownHook;

    private final Object lock = new Object();
    // guarded by lock
    private LocalSidecarProcess current;
    private long readyPid = NONE;
    private boolean closed;
    private int restarts;
    private final List<Duration> waits = new ArrayList<>();

    private SupervisedSidecar(
            List<String> command,
            Path socket,
            Path rulesDir,
            Path log,
            Duration startTimeout,
            RestartBackoff backoff) {
        this.command = List.copyOf(command);
        this.socket = socket;
        this.rulesDir = rulesDir;
        this.log = log;
        this.startTimeout = startTimeout;
        this.backoff = backoff;
        this.watcher = new Thread(this::supervise, "sidecar-supervisor");
        this.watcher.setDaemon(true);
        this.shutdownHook = new Thread(this::stopForGood, "stop-sidecar");
    }

    /**
     * Starts {@code command serve --socket socket --rules-dir rulesDir}, waits until the socket
     * accepts (at most {@code startTimeout}), then supervises it with {@link
     * RestartBackoff#DEFAULT}.
     *
     * @throws IOException when the first child exits before it is ready or is not ready in time,
     *     with the end of its log: a sidecar that cannot start at all is not restarted
     */
    public static SupervisedSidecar start(
            List<String> command, Path socket, Path rulesDir, Path log, Duration startTimeout)
            throws IOException, InterruptedException {
        return start(command, socket, rulesDir, log, startTimeout, RestartBackoff.DEFAULT);
    }

    static SupervisedSidecar start(
            List<String> command,
            Path socket,
            Path rulesDir,
            Path log,
            Duration startTimeout,
            RestartBackoff backoff)
            throws IOException, InterruptedException {
        SupervisedSidecar sidecar =
                new SupervisedSidecar(command, socket, rulesDir, log, startTimeout, backoff);
        // the hook is in place before there is a child to leave behind
        Runtime.getRuntime().addShutdownHook(sidecar.shutdownHook);
        try {
            LocalSidecarProcess first =
                    LocalSidecarProcess.launch(command, socket, rulesDir, log, false);
            synchronized (sidecar.lock) {
                sidecar.current = first;
            }
            first.awaitReady(startTimeout);
            synchronized (sidecar.lock) {
                sidecar.readyPid = first.pid();
            }
            sidecar.watcher.start();
            return sidecar;
        } catch (IOException | InterruptedException | RuntimeException e) {
            sidecar.close();
            throw e;
        }
    }

    /** The current child's process id (it may be starting, or dead and about to be restarted). */
    public long pid() {
        synchronized (lock) {
            return current.pid();
        }
    }

    /** How many times a child was started again after the first one. */
    public int restarts() {
        synchronized (lock) {
            return restarts;
        }
    }

    /**
     * Waits until a child other than {@code pid} accepts connections, e.g. after killing {@code
     * pid}.
     *
     * @return the ready child's process id
     * @throws TimeoutException when none is ready within {@code timeout}, saying what runs and its
     *     last lines
     * @throws IllegalStateException when closed
     */
    public long awaitReadyOtherThan(long pid, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (readyPid == NONE || readyPid == pid) {
                if (closed) {
                    throw new IllegalStateException(
                            "the supervised sidecar on " + socket + " is closed");
                }
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) {
                    throw new TimeoutException(
                            "no sidecar other than pid "
                                    + pid
                                    + " accepted connections on "
                                    + socket
                                    + " within "
                                    + timeout.toMillis()
                                    + " ms; current child pid "
                                    + current.pid()
                                    + (current.isAlive() ? " (running)" : " (exited)")
                                    + ", "
                                    + restarts
                                    + " restart(s); its last lines: "
                                    + current.tail());
                }
                lock.wait(remainingMs);
            }
            return readyPid;
        }
    }

    /**
     * Waits until at least {@code count} backoff waits have begun (one before each restart, and one
     * more before each retry of a start that failed to spawn) and returns all of them, in order.
     *
     * @throws TimeoutException when fewer began within {@code timeout}
     */
    List<Duration> awaitRestartWaits(int count, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (waits.size() < count) {
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) {
                    throw new TimeoutException(
                            "only "
                                    + waits.size()
                                    + " of "
                                    + count
                                    + " restart waits began within "
                                    + timeout.toMillis()
                                    + " ms: "
                                    + waits);
                }
                lock.wait(remainingMs);
            }
            return List.copyOf(waits);
        }
    }

    /** Whether the watcher thread still runs (for tests: it must end with {@link #close()}). */
    boolean isSupervising() {
        return watcher.isAlive();
    }

    /**
     * Stops the current child and supervision for good, then waits for the watcher to end, so that
     * no child runs or starts once this returns. Idempotent.
     */
    @Override
    public void close() {
        stopForGood();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs or ran
        }
        try {
            watcher.join(WATCHER_EXIT.toMillis());
        } catch (InterruptedException e) {
            // the child is stopped and closed is set: the watcher ends on its own
            Thread.currentThread().interrupt();
        }
    }

    /** Marks closed (so nothing starts any more), then stops whichever child is current. */
    private void stopForGood() {
        LocalSidecarProcess child;
        synchronized (lock) {
            closed = true;
            readyPid = NONE;
            child = current;
            lock.notifyAll();
        }
        if (child != null) {
            child.close();
        }
    }

    /**
     * The watcher: waits for the child to exit, then starts another after a backoff, until closed.
     */
    private void supervise() {
        LocalSidecarProcess child;
        synchronized (lock) {
            child = current;
        }
        long readySince = System.nanoTime();
        Duration wait = null;
        try {
            while (true) {
                child.awaitExit();
                Duration ready =
                        readySince == NONE
                                ? Duration.ZERO
                                : Duration.ofNanos(System.nanoTime() - readySince);
                String exit = child.describeExit();
                String tail = child.tail();
                child.close();
                wait = backoff.next(wait, ready);
                int restart;
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    readyPid = NONE;
                    restart = restarts + 1;
                    lock.notifyAll();
                }
                LOG.warn(
                        "{} while the job runs; starting it again in {} ms (restart {}). Its last lines: {}",
                        exit,
                        wait.toMillis(),
                        restart,
                        tail);
                synchronized (lock) {
                    while (true) {
                        waits.add(wait);
                        lock.notifyAll();
                        if (!waitUnlessClosed(wait)) {
                            return;
                        }
                        mark("restart " + restart + " after " + exit);
                        try {
                            current =
                                    LocalSidecarProcess.launch(
                                            command, socket, rulesDir, log, false);
                            break;
                        } catch (IOException e) {
                            wait = backoff.next(wait, Duration.ZERO);
                            LOG.warn(
                                    "could not start the sidecar again ({}); trying again in {} ms",
                                    e.getMessage(),
                                    wait.toMillis());
                        }
                    }
                    restarts = restart;
                    child = current;
                    lock.notifyAll();
                }
                readySince = awaitReady(child) ? System.nanoTime() : NONE;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits at least {@code wait} on the lock, which the caller holds; false when closed meanwhile.
     */
    private boolean waitUnlessClosed(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long remainingNanos;
        while (!closed && (remainingNanos = deadline - System.nanoTime()) > 0) {
            // rounded up: the backoff is a floor, never cut short by a millisecond
            lock.wait(Math.max(1, (remainingNanos + 999_999) / 1_000_000));
        }
        return !closed;
    }

    /**
     * Waits for a new child's socket; true when it is ready, false when it exited (or was stopped)
     * first.
     */
    private boolean awaitReady(LocalSidecarProcess child) throws InterruptedException {
        try {
            if (!child.awaitReadyOrExit(startTimeout)) {
                return false;
            }
        } catch (IOException notReadyInTime) {
            // stopping it makes the loop see an exit, with the usual backoff and warning
            LOG.warn("{}; stopping it to start another", notReadyInTime.getMessage());
            child.close();
            return false;
        }
        synchronized (lock) {
            if (current != child || closed) {
                return false;
            }
            readyPid = child.pid();
            lock.notifyAll();
        }
        // a warning like the exit's: local mode shows warnings only, and a user who saw one wants
        // the other
        LOG.warn(
                "the sidecar is back (pid {}) on {} after {} restart(s)",
                child.pid(),
                socket,
                restarts());
        return true;
    }

    /** Appends a marker line to the log, between the output of one child and the next. */
    private void mark(String what) {
        String line =
                "=== "
                        + Instant.now()
                        + " flink-sidecar local mode: "
                        + what
                        + " ==="
                        + System.lineSeparator();
        try {
            Files.writeString(
                    log,
                    line,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("could not write to the sidecar log {}: {}", log, e.getMessage());
        }
    }
}
