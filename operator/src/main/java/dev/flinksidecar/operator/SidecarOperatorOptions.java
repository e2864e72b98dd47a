package dev.flinksidecar.operator;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the sidecar operator: the typed option constants (documented in {@code
 * operator/OPTIONS.md}; a test fails when one is missing there) and an immutable, serializable set
 * of values for one operator.
 *
 * <pre>{@code
 * SidecarOperatorOptions options = SidecarOperatorOptions.defaults()
 *         .with(SidecarOperatorOptions.SOCKET_PATH, "/run/sidecar/sidecar.sock")
 *         .with(SidecarOperatorOptions.BATCH_MAX_EVENTS, 512);
 * }</pre>
 */
public final class SidecarOperatorOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Prefix of every key here. */
    public static final String PREFIX = "sidecar.operator.";

    public static final ConfigOption<String> SOCKET_PATH =
            key(PREFIX + "socket-path")
                    .stringType()
                    .defaultValue("/tmp/flink-sidecar.sock")
                    .withDescription(
                            "Path of the sidecar's Unix domain socket on the TaskManager's machine. When the job"
                                    + " does not set it (--socket or --set), each TaskManager's own configuration (config.yaml) names it"
                                    + " with this key; else this default.");

    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            key(PREFIX + "connect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How long a subtask keeps trying to connect to the sidecar when it opens"
                                    + " before it fails with \"no sidecar is listening on PATH\".");

    public static final ConfigOption<Duration> HANDSHAKE_TIMEOUT =
            key(PREFIX + "handshake-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("How long a subtask waits for the sidecar's answer to Hello.");

    public static final ConfigOption<Integer> BATCH_MAX_EVENTS =
            key(PREFIX + "batch.max-events")
                    .intType()
                    .defaultValue(4096)
                    .withDescription(
                            "Most events in one batch. A full batch is sent as soon as an in-flight slot is free.");

    public static final ConfigOption<MemorySize> BATCH_MAX_BYTES =
            key(PREFIX + "batch.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1mb"))
                    .withDescription(
                            "Largest estimated encoded size of one batch; also kept below half the frame"
                                    + " limit that the sidecar announces.");

    public static final ConfigOption<Duration> BATCH_MAX_DELAY =
            key(PREFIX + "batch.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription(
                            "Longest time an event waits in an open batch while other batches are in flight,"
                                    + " or while it fills because more input waits for the task. Otherwise, with"
                                    + " nothing in flight, a batch is sent at once, whatever its size.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT_BATCHES =
            key(PREFIX + "max-in-flight-batches")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Most batches sent and not yet answered. When reached, the operator stops taking"
                                    + " input (backpressure through the task's mailbox) until a reply arrives.");

    public static final ConfigOption<MemorySize> MAX_IN_FLIGHT_BYTES =
            key(PREFIX + "max-in-flight-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("16mb"))
                    .withDescription(
                            "Most estimated bytes of batches sent and not yet answered (one batch may always"
                                    + " be in flight, whatever its size).");

    public static final ConfigOption<MemorySize> MAX_FRAME_BYTES =
            key(PREFIX + "max-frame-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("16mb"))
                    .withDescription(
                            "Largest frame the operator accepts from the sidecar (announced in Hello).");

    public static final ConfigOption<Duration> ANSWER_TIMEOUT =
            key(PREFIX + "answer-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A batch or checkpoint barrier the sidecar has not answered for this long counts as a"
                                    + " broken session (a frozen sidecar): the operator reconnects and sends what the sidecar had not"
                                    + " acknowledged again, as after a crash. This holds while the task thread waits in a write to"
                                    + " the socket too (a sidecar that stopped reading, its socket buffers full): a watchdog thread"
                                    + " closes the connection when a write has moved no byte and the sidecar has answered nothing"
                                    + " for this long. A write that moves, however slowly, is backpressure and waits.");

    public static final ConfigOption<Duration> RECONNECT_TIMEOUT =
            key(PREFIX + "reconnect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "After a session broke (sidecar crashed, restarted, or frozen past answer-timeout), how"
                                    + " long a subtask keeps trying to reach the sidecar again before it fails the task and Flink's"
                                    + " own recovery takes over.");

    public static final ConfigOption<MemorySize> REPLAY_BUFFER =
            key(PREFIX + "replay-buffer")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription(
                            "Most bytes of batches kept since the last checkpoint barrier, to send again to a"
                                    + " sidecar that comes back after a crash. When more was sent since the barrier, a broken session"
                                    + " fails the task instead (Flink restores from its last checkpoint); a shorter checkpoint"
                                    + " interval needs less.");

    public static final ConfigOption<Integer> LATENCY_SAMPLE_INTERVAL =
            key(PREFIX + "latency.sample-interval")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Measure every N-th event from entering the operator to its results leaving it"
                                    + " (histogram metric sidecarLatencyNanos and accumulator sidecar-latency-us); 0 turns it off.");

    private final Map<String, String> values;

    private SidecarOperatorOptions(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** All defaults. */
    public static SidecarOperatorOptions defaults() {
        return new SidecarOperatorOptions(Map.of());
    }

    /**
     * Takes the {@code sidecar.operator.*} entries of {@code configuration}.
     *
     * @throws IllegalArgumentException naming a key with the prefix that is not an option here, or
     *     a value that does not parse
     */
    public static SidecarOperatorOptions fromMap(Map<String, String> configuration) {
        Map<String, String> ours = new TreeMap<>();
        for (Map.Entry<String, String> e : configuration.entrySet()) {
            if (e.getKey().startsWith(PREFIX)) {
                if (find(e.getKey()) == null) {
                    throw new IllegalArgumentException(
                            "unknown option '" + e.getKey() + "' (see operator/OPTIONS.md)");
                }
                ours.put(e.getKey(), e.getValue());
            }
        }
        SidecarOperatorOptions options = new SidecarOperatorOptions(ours);
        options.validate();
        return options;
    }

    /** A copy with one option changed. */
    public <T> SidecarOperatorOptions with(ConfigOption<T> option, T value) {
        Configuration conf = Configuration.fromMap(values);
        conf.set(option, value);
        SidecarOperatorOptions options = new SidecarOperatorOptions(new TreeMap<>(conf.toMap()));
        options.validate();
        return options;
    }

    /**
     * These options as one TaskManager runs them: when the job did not set {@link #SOCKET_PATH},
     * the TaskManager's own configuration ({@code taskManager}, its {@code config.yaml}) names the
     * socket of the sidecar beside it; else the default. So one job reaches a different socket on
     * every TaskManager of a cluster.
     */
    public SidecarOperatorOptions onTaskManager(Configuration taskManager) {
        if (values.containsKey(SOCKET_PATH.key())) {
            return this;
        }
        return taskManager
                .getOptional(SOCKET_PATH)
                .map(path -> with(SOCKET_PATH, path))
                .orElse(this);
    }

    /** Where {@link #onTaskManager} takes the socket path from, as the operator's log says it. */
    public String socketPathOrigin(Configuration taskManager) {
        if (values.containsKey(SOCKET_PATH.key())) {
            return "set by the job";
        }
        return taskManager.getOptional(SOCKET_PATH).isPresent()
                ? "from the TaskManager's configuration"
                : "the default";
    }

    /** The value of one option, or its default. */
    public <T> T get(ConfigOption<T> option) {
        return Configuration.fromMap(values).get(option);
    }

    /** Every option this class defines, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : SidecarOperatorOptions.class.getDeclaredFields()) {
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

    private static ConfigOption<?> find(String key) {
        for (ConfigOption<?> option : all()) {
            if (option.key().equals(key)) {
                return option;
            }
        }
        return null;
    }

    private void validate() {
        Configuration conf = Configuration.fromMap(values);
        positive(BATCH_MAX_EVENTS, conf.get(BATCH_MAX_EVENTS));
        positive(MAX_IN_FLIGHT_BATCHES, conf.get(MAX_IN_FLIGHT_BATCHES));
        positive(BATCH_MAX_BYTES, conf.get(BATCH_MAX_BYTES).getBytes());
        positive(MAX_IN_FLIGHT_BYTES, conf.get(MAX_IN_FLIGHT_BYTES).getBytes());
        positive(MAX_FRAME_BYTES, conf.get(MAX_FRAME_BYTES).getBytes());
        if (conf.get(MAX_FRAME_BYTES).getBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(MAX_FRAME_BYTES.key() + " must be below 2 GiB");
        }
        if (conf.get(LATENCY_SAMPLE_INTERVAL) < 0) {
            throw new IllegalArgumentException(
                    LATENCY_SAMPLE_INTERVAL.key() + " must be 0 (off) or positive");
        }
        if (conf.get(SOCKET_PATH).isEmpty()) {
            throw new IllegalArgumentException(SOCKET_PATH.key() + " must not be empty");
        }
    }

    private static void positive(ConfigOption<?> option, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option.key() + " must be positive, not " + value);
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
