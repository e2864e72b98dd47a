package dev.flinksidecar.sidecar;

import static dev.flinksidecar.sidecar.ConfigOption.booleanOption;
import static dev.flinksidecar.sidecar.ConfigOption.durationOption;
import static dev.flinksidecar.sidecar.ConfigOption.idsOption;
import static dev.flinksidecar.sidecar.ConfigOption.intOption;
import static dev.flinksidecar.sidecar.ConfigOption.requiredString;
import static dev.flinksidecar.sidecar.ConfigOption.stringOption;
import static dev.flinksidecar.sidecar.ConfigOption.textOption;

import dev.flinksidecar.events.EventFileReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of the sidecar process, in one place. Values are set, from weakest to strongest, by
 * the defaults here, by JVM system properties ({@code -Dsidecar.rules.executor-threads=4}), by
 * {@code --conf KEY=VALUE} and by the dedicated flags ({@code --socket}, {@code --rules-dir}, ...).
 *
 * <p>{@code sidecar/OPTIONS.md} documents each of them; {@code SidecarOptionsDocumentationTest}
 * fails when one is missing there.
 */
public final class SidecarOptions {

    /** Frames of up to 16 MiB: a batch of 4096 events of a few hundred bytes each is far below. */
    private static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    public static final ConfigOption<String> SOCKET_PATH =
            requiredString(
                    "sidecar.transport.socket-path",
                    "Path of the Unix domain socket the sidecar accepts sessions on. Flag: `serve --socket`.");

    public static final ConfigOption<Integer> MAX_FRAME_BYTES =
            intOption(
                    "sidecar.transport.max-frame-bytes",
                    DEFAULT_MAX_FRAME_BYTES,
                    "Largest frame (message bytes, without the 4-byte length) the sidecar accepts. A larger frame "
                            + "closes that session with an `Error` (`FRAME_TOO_LARGE`); the sidecar keeps running.");

    public static final ConfigOption<Integer> MAX_INPUT_BYTES =
            intOption(
                    "sidecar.transport.max-input-bytes",
                    128 * 1024 * 1024,
                    "Client input all sessions together may hold at once: each frame from its 4-byte length on "
                            + "(reserved before its bytes are read) and each message, once decoded, at its estimated heap size, "
                            + "until it is answered. A session whose next frame does not fit waits, not reading its socket, "
                            + "until answers give bytes back; a single message that would take more than this is refused with "
                            + "an `Error` (`FRAME_TOO_LARGE`). Bounds the heap that client input takes whatever the number of "
                            + "sessions; keep it at least `sidecar.transport.max-frame-bytes`.");

    public static final ConfigOption<Integer> MAX_CONNECTIONS =
            intOption(
                    "sidecar.transport.max-connections",
                    256,
                    "Sessions (connections to the data socket) served at once. One more is answered with a `Refusal` "
                            + "naming this setting and closed, so the sidecar never runs out of file descriptors; the "
                            + "refusals are logged once, then at most once a minute with their count.");

    public static final ConfigOption<Duration> FRAME_TIMEOUT =
            durationOption(
                    "sidecar.transport.frame-timeout",
                    Duration.ofSeconds(30),
                    "How long a frame may take from its first byte to its last, on the data and the admin socket. A "
                            + "client that stops in the middle of a frame or sends a byte at a time gets an `Error` "
                            + "(`PROTOCOL`) naming this setting and is closed, and the memory its frame held is freed. Time in "
                            + "which the sidecar itself is not reading (backpressure) does not count. `0ms`: no limit.");

    public static final ConfigOption<Integer> IO_THREADS =
            intOption(
                    "sidecar.transport.io-threads",
                    1,
                    "Netty event-loop threads that read and write the sockets. Rule code never runs on them.");

    public static final ConfigOption<Boolean> NATIVE_TRANSPORT =
            booleanOption(
                    "sidecar.transport.native",
                    true,
                    "Use Netty's native epoll transport where it is available; `false` forces the JDK's NIO "
                            + "Unix-domain channels (the fallback anyway where epoll is missing).");

    public static final ConfigOption<Duration> SHUTDOWN_TIMEOUT =
            durationOption(
                    "sidecar.transport.shutdown-timeout",
                    Duration.ofSeconds(30),
                    "On SIGTERM the sidecar stops accepting and reading, answers the batches in flight, then "
                            + "closes; sessions still busy after this long are closed anyway.");

    public static final ConfigOption<String> SOCKET_GROUP =
            stringOption(
                    "sidecar.transport.socket-group",
                    "(none: owner only)",
                    "Group (name or numeric gid) whose members may open the data socket: the socket file is then "
                            + "`rw-rw----` with this group instead of `rw-------` (the umask never decides). The sidecar's user must "
                            + "be a member. Opening the file is not enough to connect: see `sidecar.transport.allowed-gids`.");

    public static final ConfigOption<List<Integer>> ALLOWED_UIDS =
            idsOption(
                    "sidecar.transport.allowed-uids",
                    "user",
                    "User ids, besides the sidecar's own, that may connect to the data socket (comma-separated, e.g. "
                            + "`9999`). The kernel tells each peer's uid (SO_PEERCRED); another user's connection gets a `Refusal` "
                            + "naming its uid and is closed. Root is not special: list `0` to let it in.");

    public static final ConfigOption<List<Integer>> ALLOWED_GIDS =
            idsOption(
                    "sidecar.transport.allowed-gids",
                    "group",
                    "Group ids whose processes may connect to the data socket (comma-separated): a peer whose primary "
                            + "group (the gid the kernel reports; not its supplementary groups) is listed is let in whatever its uid.");

    public static final ConfigOption<Integer> MAX_PENDING_BATCHES =
            intOption(
                    "sidecar.session.max-pending-batches",
                    16,
                    "Messages one session may have sent and not yet been answered (batches, barriers, `StateRestore`s, "
                            + "`CheckpointCompleted`s). At this bound the sidecar stops reading that session's socket until "
                            + "answers go out, so memory stays bounded.");

    public static final ConfigOption<Integer> MAX_PENDING_BYTES =
            intOption(
                    "sidecar.session.max-pending-bytes",
                    64 * 1024 * 1024,
                    "Input one session may have sent and not yet been answered, in bytes: the frame and the estimated "
                            + "heap of the decoded message, every kind of message counted (batches, barriers, `StateRestore`s, "
                            + "`CheckpointCompleted`s). At this bound, as at `sidecar.session.max-pending-batches` messages, "
                            + "the sidecar stops reading that session's socket until answers go out.");

    public static final ConfigOption<Duration> HELLO_TIMEOUT =
            durationOption(
                    "sidecar.session.hello-timeout",
                    Duration.ofSeconds(10),
                    "How long a new connection may stay without sending its `Hello` (the operator sends it at once). "
                            + "Past it the connection gets an `Error` (`PROTOCOL`) naming this setting and is closed. Before "
                            + "its `Hello` a connection may send only a frame of up to 64 KiB. An open session is never "
                            + "closed for sending nothing: a job may be idle for long, and a client that is gone has closed "
                            + "its socket. `0ms`: no limit.");

    public static final ConfigOption<String> RULES_DIR =
            requiredString(
                    "sidecar.rules.dir",
                    "Folder of rule jars (`NAME.jar`, optional config `NAME.json`). Flag: `--rules-dir`.");

    public static final ConfigOption<Integer> RULE_EXECUTOR_THREADS =
            intOption(
                    "sidecar.rules.executor-threads",
                    Runtime.getRuntime().availableProcessors(),
                    "the number of CPUs",
                    "Threads that run rule code for all sessions. One session's batches run one at a time, in order.");

    public static final ConfigOption<Duration> RULES_WATCH_INTERVAL =
            durationOption(
                    "sidecar.rules.watch-interval",
                    Duration.ofSeconds(1),
                    "How often `serve` looks at the rules directory. A new, replaced or removed `NAME.jar` (or changed "
                            + "`NAME.json`) is acted on once its size and modification time are the same at two looks in a row. "
                            + "`0ms` turns watching off.");

    public static final ConfigOption<Duration> RULES_BATCH_BUDGET =
            durationOption(
                    "sidecar.rules.batch-budget",
                    Duration.ofSeconds(2),
                    "How long one rule version may take on one batch (a rule config's `batch-budget` overrides it for "
                            + "that rule). Past it the version is quarantined: the events it was given go to the dead letters "
                            + "with the reason, the other rules go on, and a thread stuck in it is abandoned. `admin deploy` or "
                            + "`admin rollback` of the rule lifts the quarantine.");

    public static final ConfigOption<String> RULES_CRASH_RECORD =
            stringOption(
                    "sidecar.rules.crash-record",
                    "(the socket path + `.running`)",
                    "A small memory-mapped file where the sidecar notes each rule version found deep in one call (10% "
                            + "of its budget or longer). When the sidecar dies in such a call (a heap filled, the JVM killed), "
                            + "the next start reads it and quarantines that version, so the same batch sent again cannot kill "
                            + "it again. Removed at a clean shutdown.");

    public static final ConfigOption<Duration> RULES_VALIDATION_TIMEOUT =
            durationOption(
                    "sidecar.rules.validation-timeout",
                    Duration.ofSeconds(30),
                    "How long validating one rule jar (loading it, opening its rules with the config, its self-test) may "
                            + "take. Past it the jar is refused, naming the timeout, and the validating thread is abandoned; "
                            + "an `open()` that loops or fills the heap cannot hold `admin` or the rules directory up.");

    public static final ConfigOption<Duration> RULES_ABANDONED_GRACE =
            durationOption(
                    "sidecar.rules.abandoned-grace",
                    Duration.ofSeconds(60),
                    "How long a rule thread abandoned in a quarantined rule may go on burning CPU (more than half of this "
                            + "time) before the sidecar restarts itself: it stops cleanly and exits with code 75, for its "
                            + "supervisor (Kubernetes, local mode) to start it again; the job's sessions recover exactly.");

    public static final ConfigOption<String> RULES_STORE_DIR =
            stringOption(
                    "sidecar.rules.store-dir",
                    "(a new temporary folder)",
                    "Where `serve` keeps private copies of the deployed jars that classloaders read (a jar in the rules "
                            + "directory may be overwritten at any time). Created `rwx------` with `rw-------` jars; an existing "
                            + "folder must be `rwx------`. A temporary folder is deleted at exit.");

    public static final ConfigOption<Integer> RULES_MAX_RESTORABLE_VERSIONS =
            intOption(
                    "sidecar.rules.max-restorable-versions",
                    3,
                    "Older versions of a windowed rule kept loaded per rule for sessions that restore from a checkpoint "
                            + "taken before the newest one became active, when no `CheckpointCompleted` says they are no longer needed.");

    public static final ConfigOption<Integer> RULES_MAX_JAR_BYTES =
            intOption(
                    "sidecar.rules.max-jar-bytes",
                    64 * 1024 * 1024,
                    "Largest rule jar file the sidecar reads, from the rules directory or an `admin deploy`; a larger one is "
                            + "refused, named, with its size. (An `admin deploy` is also bound by `sidecar.admin.max-frame-bytes`.)");

    public static final ConfigOption<Integer> RULES_MAX_ENTRY_BYTES =
            intOption(
                    "sidecar.rules.max-entry-bytes",
                    64 * 1024 * 1024,
                    "Largest entry of a rule jar, inflated. A jar with a larger entry is refused, naming the entry; entries are "
                            + "inflated streaming and counted as they go, never read whole.");

    public static final ConfigOption<Integer> RULES_MAX_INFLATED_BYTES =
            intOption(
                    "sidecar.rules.max-inflated-bytes",
                    512 * 1024 * 1024,
                    "Largest size of all entries of a rule jar together, inflated; a jar past it is refused.");

    public static final ConfigOption<Integer> RULES_MAX_ENTRY_RATIO =
            intOption(
                    "sidecar.rules.max-entry-ratio",
                    100,
                    "Largest ratio of inflated to compressed size of a rule jar's entry (one that inflates to more than 1 MiB): "
                            + "a jar with an entry past it (a zip bomb) is refused, naming the entry and its ratio.");

    public static final ConfigOption<String> RULES_ALLOWED_DIGESTS_FILE =
            stringOption(
                    "sidecar.rules.allowed-digests-file",
                    "(none: any jar)",
                    "A file of the SHA-256 digests of the only rule jars the sidecar accepts, one per line as `sha256sum` "
                            + "prints them (`#` comments and blank lines skipped); a jar not listed is refused naming its digest. "
                            + "Read again at each deploy, so a digest added takes effect without a restart.");

    public static final ConfigOption<Duration> RULES_UNLOAD_DEADLINE =
            durationOption(
                    "sidecar.rules.unload-deadline",
                    Duration.ofSeconds(30),
                    "How long the classloader of a retired rule version may stay uncollected after it was closed. Past it the "
                            + "sidecar hints a GC, and a loader still there is reported as leaked (log and `admin status`) with what holds it.");

    public static final ConfigOption<Duration> RULES_UNLOAD_CHECK_INTERVAL =
            durationOption(
                    "sidecar.rules.unload-check-interval",
                    Duration.ofSeconds(1),
                    "How often the sidecar checks that retired rule classloaders were collected.");

    public static final ConfigOption<Integer> SHADOW_MAX_DIFFERENCES_PER_SECOND =
            intOption(
                    "sidecar.shadow.max-differences-per-second",
                    100,
                    "Difference lines of one shadowed rule (`admin shadow`) sent to the operator per second, over all sessions "
                            + "(a fixed one-second window); the rest of that second's are dropped and counted in `admin shadow-status`. "
                            + "The counts of `sidecar_shadow_results_total` and `shadow-status` stay exact. `0` sends none.");

    public static final ConfigOption<Integer> SHADOW_QUEUE_BATCHES =
            intOption(
                    "sidecar.shadow.queue-batches",
                    16,
                    "Batches a shadowed candidate may fall behind its session, per session: each candidate runs on a thread of "
                            + "its own and the session never waits for it; a batch that finds the queue full is skipped by the "
                            + "candidate (counted as `skipped`), and a windowed candidate's promote clock starts over.");

    public static final ConfigOption<String> ADMIN_SOCKET_PATH =
            stringOption(
                    "sidecar.admin.socket-path",
                    "(the socket path + `.admin`)",
                    "Unix domain socket of the admin protocol (`admin` command). Flag: `serve --admin-socket`.");

    public static final ConfigOption<Integer> ADMIN_MAX_FRAME_BYTES =
            intOption(
                    "sidecar.admin.max-frame-bytes",
                    64 * 1024 * 1024,
                    "Largest admin request (a `deploy` carries the jar); a larger one is answered `FRAME_TOO_LARGE` "
                            + "(`admin deploy` says the jar is too large, with its size and this limit) and that admin "
                            + "connection is closed.");

    public static final ConfigOption<Integer> ADMIN_MAX_CONNECTIONS =
            intOption(
                    "sidecar.admin.max-connections",
                    4,
                    "Admin connections served at once; one more is answered with an error (`BAD_REQUEST`) naming "
                            + "this setting and closed. The requests of all admin connections together hold at most twice "
                            + "`sidecar.admin.max-frame-bytes` (and a MiB) of memory; one that does not fit waits.");

    public static final ConfigOption<Duration> ADMIN_IDLE_TIMEOUT =
            durationOption(
                    "sidecar.admin.idle-timeout",
                    Duration.ofSeconds(60),
                    "How long an admin connection may stay without sending a request (when it has none in hand); "
                            + "then it is closed. `0ms`: no limit.");

    public static final ConfigOption<String> ADMIN_SOCKET_GROUP =
            stringOption(
                    "sidecar.admin.socket-group",
                    "(none: owner only)",
                    "As `sidecar.transport.socket-group`, for the admin socket. The admin socket deploys code that runs as "
                            + "the sidecar's user: keep it to that user unless another one must deploy.");

    public static final ConfigOption<List<Integer>> ADMIN_ALLOWED_UIDS =
            idsOption(
                    "sidecar.admin.allowed-uids",
                    "user",
                    "As `sidecar.transport.allowed-uids`, for the admin socket; a refused connection gets an error "
                            + "answer (`FORBIDDEN`) naming its uid.");

    public static final ConfigOption<List<Integer>> ADMIN_ALLOWED_GIDS =
            idsOption(
                    "sidecar.admin.allowed-gids",
                    "group",
                    "As `sidecar.transport.allowed-gids`, for the admin socket.");

    public static final ConfigOption<String> HTTP_HOST =
            textOption(
                    "sidecar.http.host",
                    "0.0.0.0",
                    "Address the HTTP endpoint (`/metrics`, `/health/live`, `/health/ready`) listens on when `serve` has "
                            + "`--http-port`; `0.0.0.0` is every interface.");

    public static final ConfigOption<Boolean> METRICS_ENABLED =
            booleanOption(
                    "sidecar.metrics.enabled",
                    true,
                    "Record metrics for `/metrics` (METRICS.md). `false` records nothing and `/metrics` serves an empty page; "
                            + "the health endpoints still work. Without `--http-port` nothing is recorded either.");

    public static final ConfigOption<Integer> REPLAY_BATCH_SIZE =
            intOption(
                    "sidecar.replay.batch-size",
                    1024,
                    "Events per batch that `replay` hands to the rule engine (the output does not depend on it).");

    public static final ConfigOption<Duration> REPLAY_OUT_OF_ORDERNESS =
            durationOption(
                    "sidecar.replay.out-of-orderness",
                    Duration.ZERO,
                    "How far behind the largest event time seen `replay`'s watermark stays. Flag: `--out-of-orderness`.");

    public static final ConfigOption<Integer> REPLAY_MAX_LINE_BYTES =
            intOption(
                    "sidecar.replay.max-line-bytes",
                    EventFileReader.DEFAULT_MAX_LINE_BYTES,
                    "Longest JSON line `replay` reads as an event (1 to 1073741824); a longer one is a dead letter with its first KiB, read past without being held whole. Flag: `--max-line-bytes`.");

    private SidecarOptions() {}

    /** Every option declared above, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : SidecarOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
