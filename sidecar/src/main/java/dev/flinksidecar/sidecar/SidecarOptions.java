package dev.flinksidecar.sidecar;

import static dev.flinksidecar.sidecar.ConfigOption.booleanOption;
import static dev.flinksidecar.sidecar.ConfigOption.durationOption;
import static dev.flinksidecar.sidecar.ConfigOption.idsOption;
import static dev.flinksidecar.sidecar.ConfigOption.intOption;
import static dev.flinksidecar.sidecar.ConfigOption.requiredString;
import static dev.flinksidecar.sidecar.ConfigOption.stringOption;
import static dev.flinksidecar.sidecar.ConfigOption.textOption;

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

    /** Frames of up to 16 MiB: a batch of 1024 events of a few hundred bytes each is far below. */
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
                    "Batches one session may have sent and not yet been answered. At this bound the sidecar stops "
                            + "reading that session's socket until answers go out, so memory stays bounded.");

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

    public static final ConfigOption<String> ADMIN_SOCKET_PATH =
            stringOption(
                    "sidecar.admin.socket-path",
                    "(the socket path + `.admin`)",
                    "Unix domain socket of the admin protocol (`admin` command). Flag: `serve --admin-socket`.");

    public static final ConfigOption<Integer> ADMIN_MAX_FRAME_BYTES =
            intOption(
                    "sidecar.admin.max-frame-bytes",
                    64 * 1024 * 1024,
                    "Largest admin request (a `deploy` carries the jar); a larger one closes that admin connection.");

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
