package dev.flinksidecar.job;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.job.kafka.KafkaInput;
import dev.flinksidecar.job.kafka.KafkaOutput;
import dev.flinksidecar.job.kafka.KafkaUri;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.rule.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job's flags (README, "The Flink job"): parsed, checked, immutable.
 *
 * <p>Flags may be added, never renamed. {@code --print} and {@code --set KEY=VALUE} (any {@code
 * sidecar.operator.*} option, see OPTIONS.md) came after the first flags.
 */
public final class JobArgs {

    /** Default of {@code --job-name}. */
    static final String DEFAULT_JOB_NAME = "flink-sidecar";

    /** Default of {@code --idle-timeout}. */
    static final String DEFAULT_IDLE_TIMEOUT = "30s";

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: (flink run flink-sidecar-job.jar | java -jar flink-sidecar-local.jar)",
                    "         --input PATH|kafka://... --output DIR|kafka://... [--socket PATH] [--rules-dir DIR] [--parallelism N]",
                    "         [--checkpoint-interval DURATION] [--out-of-orderness DURATION] [--idle-timeout DURATION]",
                    "         [--deterministic-watermarks] [--bounded] [--max-line-bytes N] [--job-name NAME] [--local] [--print]",
                    "         [--set sidecar.operator.KEY=VALUE]...",
                    "  --input PATH                 event file or folder (JSON Lines, or length-delimited protobuf: .pb)",
                    "  --input kafka://HOST:PORT[,HOST:PORT]/TOPIC[?group=G&offsets=O&format=F]",
                    "                               events from a Kafka topic, one per record; group default "
                            + KafkaInput.DEFAULT_GROUP
                            + ",",
                    "                               offsets earliest|latest|committed|EPOCH_MS (default committed, else earliest),",
                    "                               format json|protobuf (default json); runs until cancelled unless --bounded",
                    "  --output DIR                 results in DIR/results/, late events in DIR/late/, dead letters in DIR/dead-letters/",
                    "  --output kafka://HOST:PORT[,HOST:PORT]/TOPIC[?delivery=D&transaction-timeout=T]",
                    "                               results to TOPIC, late events to TOPIC"
                            + KafkaOutput.LATE_SUFFIX
                            + ", dead letters to TOPIC"
                            + KafkaOutput.DEAD_LETTERS_SUFFIX
                            + ";",
                    "                               delivery exactly-once|at-least-once (default exactly-once: Kafka transactions",
                    "                               committed at checkpoints), transaction-timeout (default "
                            + KafkaOutput.DEFAULT_TRANSACTION_TIMEOUT
                            + ")",
                    "  --socket PATH                the sidecar's Unix socket; when absent (and no --set of sidecar.operator.socket-path),",
                    "                               each TaskManager's sidecar.operator.socket-path from its config.yaml, else "
                            + SidecarOperatorOptions.SOCKET_PATH.defaultValue()
                            + ";",
                    "                               local mode without --socket starts a sidecar",
                    "  --rules-dir DIR              local mode: the rules of the sidecar it starts",
                    "  --parallelism N              parallelism of the job (default: the environment's)",
                    "  --checkpoint-interval D      checkpoint interval, e.g. 10s (default 10s); output is committed at checkpoints",
                    "  --out-of-orderness D         watermark = largest event time - D - 1ms (default 0s, as `replay`)",
                    "  --idle-timeout D             a source split (a file, a Kafka partition) without events for D stops holding",
                    "                               the watermark back, so windows still fire (default "
                            + DEFAULT_IDLE_TIMEOUT
                            + "; 0s: never idle;",
                    "                               not with --deterministic-watermarks)",
                    "  --deterministic-watermarks   a watermark after every event in file order, as `replay` (source at parallelism 1;",
                    "                               files only)",
                    "  --bounded                    Kafka input: stop at the offsets the topic has when the job starts",
                    "  --max-line-bytes N           file input: the longest JSON line read as an event (default "
                            + EventFileReader.DEFAULT_MAX_LINE_BYTES
                            + ", 1 MiB);",
                    "                               a longer line is a dead letter with its first KiB",
                    "  --job-name NAME              the job's name (default "
                            + DEFAULT_JOB_NAME
                            + "); Kafka output: the transactional ids",
                    "                               start with NAME.TOPIC, so two jobs writing at once need different names",
                    "  --local                      run on an embedded Flink cluster (what flink-sidecar-local.jar does)",
                    "  --print                      also print result lines to stdout",
                    "  --set KEY=VALUE              a sidecar operator option (see operator/OPTIONS.md)",
                    "Durations: 500ms, 10s, 2m, 1h.");

    final String input;
    final String output;
    final String socket;
    final String rulesDir;
    final Integer parallelism;
    final Duration checkpointInterval;
    final Duration outOfOrderness;
    final Duration idleTimeout;
    final boolean deterministicWatermarks;
    final boolean bounded;
    final int maxLineBytes;
    final String jobName;
    final KafkaInput kafkaInput;
    final KafkaOutput kafkaOutput;
    final boolean local;
    final boolean print;
    final Map<String, String> operatorOptions;

    private JobArgs(
            Map<String, String> values, Map<String, String> operatorOptions, boolean forceLocal)
            throws UsageException {
        this.input = required(values, "--input");
        this.output = required(values, "--output");
        this.socket = values.get("--socket");
        this.rulesDir = values.get("--rules-dir");
        this.parallelism =
                values.containsKey("--parallelism")
                        ? positiveInt(values.get("--parallelism"))
                        : null;
        this.checkpointInterval = duration(values, "--checkpoint-interval", "10s");
        this.outOfOrderness = duration(values, "--out-of-orderness", "0s");
        this.idleTimeout = duration(values, "--idle-timeout", DEFAULT_IDLE_TIMEOUT);
        this.deterministicWatermarks = values.containsKey("--deterministic-watermarks");
        this.bounded = values.containsKey("--bounded");
        this.maxLineBytes = maxLineBytes(values.get("--max-line-bytes"));
        this.jobName = values.getOrDefault("--job-name", DEFAULT_JOB_NAME);
        this.kafkaInput = KafkaUri.isKafka(input) ? KafkaInput.parse(input) : null;
        this.kafkaOutput = KafkaUri.isKafka(output) ? KafkaOutput.parse(output) : null;
        this.local = forceLocal || values.containsKey("--local");
        this.print = values.containsKey("--print");
        this.operatorOptions = operatorOptions;
        if (checkpointInterval.isZero()) {
            throw new UsageException(
                    "--checkpoint-interval must be above 0: output is committed at checkpoints");
        }
        if (jobName.isBlank()) {
            throw new UsageException("--job-name must not be blank");
        }
        if (kafkaInput != null && deterministicWatermarks) {
            throw new UsageException(
                    "--deterministic-watermarks is for file input (one reader in file order);"
                            + " a Kafka input has watermarks per partition");
        }
        if (kafkaInput != null && values.containsKey("--max-line-bytes")) {
            throw new UsageException(
                    "--max-line-bytes is for file input; a Kafka record is one event whatever its size");
        }
        if (kafkaInput == null && bounded) {
            throw new UsageException(
                    "--bounded is for Kafka input; file input is always read once");
        }
        if (local && socket == null && rulesDir == null) {
            throw new UsageException(
                    "missing --rules-dir DIR: local mode starts a sidecar with those rules"
                            + " unless --socket names a running one");
        }
    }

    /**
     * Parses the flags.
     *
     * @param forceLocal whether this is the local jar's main, where {@code --local} is implied
     * @throws UsageException naming the first unknown, repeated, incomplete or missing flag
     */
    public static JobArgs parse(String[] args, boolean forceLocal) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> operatorOptions = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--deterministic-watermarks":
                case "--bounded":
                case "--local":
                case "--print":
                    put(values, flag, "true");
                    break;
                case "--input":
                case "--output":
                case "--socket":
                case "--rules-dir":
                case "--parallelism":
                case "--checkpoint-interval":
                case "--out-of-orderness":
                case "--idle-timeout":
                case "--max-line-bytes":
                case "--job-name":
                    put(values, flag, value(args, ++i, flag));
                    break;
                case "--set":
                    String setting = value(args, ++i, flag);
                    int eq = setting.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("--set wants KEY=VALUE, not '" + setting + "'");
                    }
                    operatorOptions.put(
                            setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
                    break;
                default:
                    throw new UsageException(
                            "unknown "
                                    + (flag.startsWith("-") ? "flag" : "argument")
                                    + " '"
                                    + flag
                                    + "'");
            }
        }
        JobArgs parsed = new JobArgs(values, operatorOptions, forceLocal);
        parsed.operatorOptions(); // checks the --set values
        return parsed;
    }

    /**
     * The sidecar operator's options: defaults, then {@code --set}, then {@code --socket}. When
     * neither sets the socket path, each TaskManager's configuration may ({@link
     * SidecarOperatorOptions#onTaskManager}).
     */
    public SidecarOperatorOptions operatorOptions() throws UsageException {
        for (String key : operatorOptions.keySet()) {
            if (!key.startsWith(SidecarOperatorOptions.PREFIX)) {
                throw new UsageException(
                        "--set "
                                + key
                                + ": only "
                                + SidecarOperatorOptions.PREFIX
                                + "* options can be set");
            }
        }
        try {
            SidecarOperatorOptions options = SidecarOperatorOptions.fromMap(operatorOptions);
            return socket == null
                    ? options
                    : options.with(SidecarOperatorOptions.SOCKET_PATH, socket);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--set: " + e.getMessage());
        }
    }

    /** {@code --input}: an event file or folder, or a Kafka address. */
    public String input() {
        return input;
    }

    /** {@code --output}: the output folder, or a Kafka address. */
    public String output() {
        return output;
    }

    /**
     * {@code --socket}, or null (local mode then starts a sidecar; on a cluster each TaskManager
     * names it).
     */
    public String socket() {
        return socket;
    }

    /** {@code --rules-dir}, or null. */
    public String rulesDir() {
        return rulesDir;
    }

    /** {@code --parallelism}, or null for the environment's default. */
    public Integer parallelism() {
        return parallelism;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    /**
     * {@code --idle-timeout}: how long a source split may go without events before Flink marks it
     * idle ({@code WatermarkStrategy.withIdleness}), so that it no longer holds the watermark of
     * the other splits back; zero turns idleness off. Not used with deterministic watermarks, where
     * one reader emits every watermark.
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * {@code --max-line-bytes}: the longest JSON line of an input file read as an event; a longer
     * one is a dead letter.
     */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    public boolean deterministicWatermarks() {
        return deterministicWatermarks;
    }

    /** {@code --bounded}: a Kafka input stops at the end offsets as of the job's start. */
    public boolean bounded() {
        return bounded;
    }

    /**
     * {@code --job-name}: the job's name in Flink, and the start of a Kafka output's transactional
     * ids.
     */
    public String jobName() {
        return jobName;
    }

    /** The Kafka input of {@code --input kafka://...}, or null for files. */
    public KafkaInput kafkaInput() {
        return kafkaInput;
    }

    /** The Kafka output of {@code --output kafka://...}, or null for files. */
    public KafkaOutput kafkaOutput() {
        return kafkaOutput;
    }

    /** Whether to run on an embedded cluster. */
    public boolean local() {
        return local;
    }

    /** Whether to print result lines to stdout too. */
    public boolean print() {
        return print;
    }

    private static void put(Map<String, String> values, String flag, String value)
            throws UsageException {
        if (values.put(flag, value) != null) {
            throw new UsageException(flag + " is given twice");
        }
    }

    private static String value(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

    private static String required(Map<String, String> values, String flag) throws UsageException {
        String value = values.get(flag);
        if (value == null) {
            throw new UsageException("missing " + flag);
        }
        return value;
    }

    private static int maxLineBytes(String text) throws UsageException {
        if (text == null) {
            return EventFileReader.DEFAULT_MAX_LINE_BYTES;
        }
        try {
            int n = Integer.parseInt(text);
            EventFileReader.checkMaxLineBytes(n);
            return n;
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new UsageException(
                    "--max-line-bytes wants a whole number of bytes from 1 to 1073741824, not '"
                            + text
                            + "'");
        }
    }

    private static Integer positiveInt(String text) throws UsageException {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new UsageException("--parallelism wants a whole number above 0, not '" + text + "'");
    }

    private static Duration duration(Map<String, String> values, String flag, String orElse)
            throws UsageException {
        try {
            return Durations.parse(values.getOrDefault(flag, orElse));
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }
}
