package dev.flinksidecar.kafka.tools;

import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.MalformedEventException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Topic chores shared by the command line ({@link KafkaCli}), the tests and the benchmarks: create
 * a topic, produce lines keyed by their event's key, read a topic's committed values.
 */
public final class Topics {

    private Topics() {}

    /**
     * Creates {@code topic} with {@code partitions} partitions (replication factor 1) and waits
     * until every partition has a leader.
     *
     * @return false when it already existed
     */
    public static boolean create(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get(1, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return false;
                }
                throw e;
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (true) {
                try {
                    TopicDescription d =
                            admin.describeTopics(List.of(topic))
                                    .allTopicNames()
                                    .get(10, TimeUnit.SECONDS)
                                    .get(topic);
                    if (d.partitions().size() == partitions
                            && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                        return true;
                    }
                } catch (ExecutionException e) {
                    // not known everywhere yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "topic " + topic + " has no leader for every partition after a minute");
                }
                Thread.sleep(50); // polling the metadata, bounded by the deadline
            }
        }
    }

    /**
     * A producer of byte records: idempotent, acks from all replicas, one request in flight per
     * broker, small batching delay. Give each send a {@link Deliveries} to learn of records the
     * broker did not take.
     *
     * <p>One request in flight, because with several the first request to a partition the broker
     * has only just created can be refused (not the leader yet) while the next one is appended;
     * every retry of the refused one is then out of sequence, until the delivery timeout (two
     * minutes) drops it and its records are lost. Under load a test lost the first records of a new
     * topic so. With one in flight the refused request is retried before anything after it goes
     * out, so each partition holds exactly the records sent, in the order sent.
     */
    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /**
     * The key of a JSON line as a record key: its {@code key} field when the line is an event, else
     * null (a malformed line is sent all the same, for the job's dead letters).
     */
    public static byte[] keyOf(String line) {
        try {
            return EventJson.parse(line).key().getBytes(StandardCharsets.UTF_8);
        } catch (MalformedEventException e) {
            return null;
        }
    }

    /**
     * A consumer of every partition of {@code topic}, {@code isolation.level=read_committed} (only
     * committed transactions), from the beginning or from the end, without a group.
     */
    public static KafkaConsumer<byte[], byte[]> committedReader(
            String bootstrap, String topic, boolean fromBeginning) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = new ArrayList<>();
        List<org.apache.kafka.common.PartitionInfo> infos =
                consumer.partitionsFor(topic, Duration.ofMinutes(1));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("no topic " + topic + " on " + bootstrap);
        }
        infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        return consumer;
    }

    /**
     * Reads the committed values of {@code topic} from the beginning until none has come for {@code
     * idle}, handing each to {@code values}; returns how many.
     */
    public static long readCommitted(
            String bootstrap, String topic, Duration idle, Consumer<String> values) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader(bootstrap, topic, true)) {
            return drain(consumer, idle, values);
        }
    }

    /** Polls {@code consumer} until no record has come for {@code idle}; returns how many came. */
    public static long drain(
            KafkaConsumer<byte[], byte[]> consumer, Duration idle, Consumer<String> values) {
        long count = 0;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < idle.toNanos()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                values.accept(
                        record.value() == null
                                ? ""
                                : new String(record.value(), StandardCharsets.UTF_8));
                count++;
                quietSince = System.nanoTime();
            }
        }
        return count;
    }

    /**
     * Every committed value of {@code topic} up to its end as of now (per partition, the last
     * stable offset: no transaction is still open below it), in partition order.
     *
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public static List<String> committedValuesToEnd(
            String bootstrap, String topic, Duration timeout) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader(bootstrap, topic, true)) {
            Map<TopicPartition, Long> end =
                    consumer.endOffsets(consumer.assignment(), Duration.ofMinutes(1));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream()
                    .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the end of "
                                    + topic
                                    + " ("
                                    + end
                                    + ") not reached within "
                                    + timeout
                                    + "; read "
                                    + values.size()
                                    + " values");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    values.add(
                            record.value() == null
                                    ? ""
                                    : new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** Every committed value of {@code topic}, read until none has come for {@code idle}. */
    public static List<String> committedValues(String bootstrap, String topic, Duration idle) {
        List<String> values = new ArrayList<>();
        readCommitted(bootstrap, topic, idle, values::add);
        return values;
    }
}
