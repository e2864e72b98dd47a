package dev.flinksidecar.job.kafka;

import dev.flinksidecar.job.UsageException;
import dev.flinksidecar.rule.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * {@code --output kafka://HOST:PORT[,HOST:PORT]/TOPIC[?delivery=D&transaction-timeout=T]}: where
 * the job writes result lines (to TOPIC), late events (to TOPIC{@value #LATE_SUFFIX}) and dead
 * letters (to TOPIC{@value #DEAD_LETTERS_SUFFIX}), checked. Immutable.
 *
 * <ul>
 *   <li>{@code delivery}: {@code exactly-once} (default: Kafka transactions, committed when the
 *       Flink checkpoint that covers them completes; readers with {@code
 *       isolation.level=read_committed} see each line once) or {@code at-least-once} (written at
 *       once, flushed at every checkpoint; after a failure some lines may be written twice).
 *   <li>{@code transaction-timeout}: the producers' {@code transaction.timeout.ms}; default {@value
 *       #DEFAULT_TRANSACTION_TIMEOUT}, the broker's default {@code transaction.max.timeout.ms} (a
 *       producer asking for more than the broker allows fails to start). It must outlast a
 *       checkpoint interval plus a recovery: a transaction the broker aborts on timeout loses its
 *       lines.
 * </ul>
 */
public final class KafkaOutput {

    public static final String LATE_SUFFIX = "-late";
    public static final String DEAD_LETTERS_SUFFIX = "-dead-letters";
    public static final String DEFAULT_TRANSACTION_TIMEOUT = "15m";

    private static final Set<String> PARAMS = Set.of("delivery", "transaction-timeout");

    private final KafkaUri uri;
    private final DeliveryGuarantee delivery;
    private final Duration transactionTimeout;

    private KafkaOutput(KafkaUri uri, DeliveryGuarantee delivery, Duration transactionTimeout) {
        this.uri = uri;
        this.delivery = delivery;
        this.transactionTimeout = transactionTimeout;
    }

    /** Parses the value of {@code --output}; the error names what is wrong with it. */
    public static KafkaOutput parse(String text) throws UsageException {
        KafkaUri uri = KafkaUri.parse("--output", text, PARAMS);
        String delivery = uri.param("delivery", "exactly-once").toLowerCase(Locale.ROOT);
        DeliveryGuarantee guarantee;
        if (delivery.equals("exactly-once")) {
            guarantee = DeliveryGuarantee.EXACTLY_ONCE;
        } else if (delivery.equals("at-least-once")) {
            guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        } else {
            throw uri.error(
                    "delivery=" + uri.param("delivery", "") + ": exactly-once or at-least-once");
        }
        Duration timeout;
        try {
            timeout =
                    Durations.parse(uri.param("transaction-timeout", DEFAULT_TRANSACTION_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw uri.error("transaction-timeout: " + e.getMessage());
        }
        if (timeout.toMillis() < 1_000 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw uri.error(
                    "transaction-timeout="
                            + uri.param("transaction-timeout", "")
                            + ": from 1s to 24d (Kafka takes whole milliseconds in an int)");
        }
        for (String topic :
                new String[] {
                    uri.topic() + LATE_SUFFIX,
                    uri.topic() + DEAD_LETTERS_SUFFIX,
                    uri.topic() + "-shadow"
                }) {
            if (topic.length() > 249) {
                throw uri.error("topic name too long: " + topic + " (at most 249 characters)");
            }
        }
        return new KafkaOutput(uri, guarantee, timeout);
    }

    public String bootstrapServers() {
        return uri.bootstrapServers();
    }

    /** The topic of result lines. */
    public String topic() {
        return uri.topic();
    }

    /** The topic of late events. */
    public String lateTopic() {
        return uri.topic() + LATE_SUFFIX;
    }

    /** The topic of the differences of rule versions in shadow ({@code sidecar admin shadow}). */
    public String shadowTopic() {
        return uri.topic() + "-shadow";
    }

    /** The topic of dead letters. */
    public String deadLettersTopic() {
        return uri.topic() + DEAD_LETTERS_SUFFIX;
    }

    public DeliveryGuarantee delivery() {
        return delivery;
    }

    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /**
     * The transactional-id prefix of the sink writing {@code topic} in the job named {@code
     * jobName}: {@code JOB_NAME.TOPIC}. Stable across restarts and savepoints, so that a restored
     * job finds and aborts the transactions its previous run left open; two jobs running at once
     * must not share it (a new producer with the same id fences the old one).
     */
    public static String transactionalIdPrefix(String jobName, String topic) {
        return jobName + "." + topic;
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
