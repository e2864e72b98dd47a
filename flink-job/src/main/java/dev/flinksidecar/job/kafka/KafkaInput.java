package dev.flinksidecar.job.kafka;

import dev.flinksidecar.job.UsageException;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * {@code --input kafka://HOST:PORT[,HOST:PORT]/TOPIC[?group=G&offsets=O&format=F]}: where the job
 * reads events from a Kafka topic, checked. Immutable.
 *
 * <ul>
 *   <li>{@code group}: the consumer group whose offsets the source commits at each completed
 *       checkpoint (for monitoring, and for {@code offsets=committed}); default {@value
 *       #DEFAULT_GROUP}. The job's own position lives in its checkpoints: a job restored from one
 *       continues from there whatever the group says.
 *   <li>{@code offsets}: where a job that starts without a checkpoint begins: {@code earliest},
 *       {@code latest}, {@code committed} (the group's committed offsets, {@code earliest} for a
 *       partition without one; the default) or a timestamp in epoch milliseconds (the first record
 *       at or after it).
 *   <li>{@code format}: {@code json} (default; one event as a JSON object per record, the
 *       event-file line format) or {@code protobuf} (one serialized {@code Event} per record).
 * </ul>
 */
public final class KafkaInput {

    public static final String DEFAULT_GROUP = "flink-sidecar";

    /** How each record's value is read. */
    public enum Format {
        JSON,
        PROTOBUF
    }

    private static final Set<String> PARAMS = Set.of("group", "offsets", "format");

    private final KafkaUri uri;
    private final String group;
    private final String offsets;
    private final Format format;

    private KafkaInput(KafkaUri uri, String group, String offsets, Format format) {
        this.uri = uri;
        this.group = group;
        this.offsets = offsets;
        this.format = format;
    }

    /** Parses the value of {@code --input}; the error names what is wrong with it. */
    public static KafkaInput parse(String text) throws UsageException {
        KafkaUri uri = KafkaUri.parse("--input", text, PARAMS);
        String offsets = uri.param("offsets", "committed").toLowerCase(Locale.ROOT);
        if (!Set.of("earliest", "latest", "committed").contains(offsets)
                && !offsets.matches("[0-9]{1,18}")) {
            throw uri.error(
                    "offsets="
                            + uri.param("offsets", "")
                            + ": earliest, latest, committed or a timestamp"
                            + " in epoch milliseconds");
        }
        String format = uri.param("format", "json").toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("protobuf")) {
            throw uri.error("format=" + uri.param("format", "") + ": json or protobuf");
        }
        return new KafkaInput(
                uri,
                uri.param("group", DEFAULT_GROUP),
                offsets,
                format.equals("json") ? Format.JSON : Format.PROTOBUF);
    }

    public String bootstrapServers() {
        return uri.bootstrapServers();
    }

    public String topic() {
        return uri.topic();
    }

    public String group() {
        return group;
    }

    public Format format() {
        return format;
    }

    /** {@code offsets} as written: earliest, latest, committed or epoch milliseconds. */
    public String offsets() {
        return offsets;
    }

    /**
     * Where a job without a checkpoint starts reading. (The connector still takes the Kafka
     * clients' deprecated {@code OffsetResetStrategy} for the fallback of committed offsets.)
     */
    @SuppressWarnings("deprecation")
    public OffsetsInitializer startingOffsets() {
        switch (offsets) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            case "committed":
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                return OffsetsInitializer.timestamp(Long.parseLong(offsets));
        }
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
