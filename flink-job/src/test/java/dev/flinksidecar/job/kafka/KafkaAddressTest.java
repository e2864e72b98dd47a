package dev.flinksidecar.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.job.UsageException;
import java.time.Duration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kafka://} addresses of {@code --input} and {@code --output}: defaults, parameters, and
 * errors that say what is wrong.
 */
@SuppressWarnings(
        "deprecation") // OffsetResetStrategy: what the connector's OffsetsInitializer reports
class KafkaAddressTest {

    @Test
    void inputDefaults() throws Exception {
        KafkaInput input = KafkaInput.parse("kafka://localhost:9092/payments");
        assertThat(input.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(input.topic()).isEqualTo("payments");
        assertThat(input.group()).isEqualTo("flink-sidecar");
        assertThat(input.offsets()).isEqualTo("committed");
        assertThat(input.startingOffsets().getAutoOffsetResetStrategy())
                .isEqualTo(OffsetResetStrategy.EARLIEST);
        assertThat(input.format()).isEqualTo(KafkaInput.Format.JSON);
    }

    @Test
    void inputWithEveryParameter() throws Exception {
        KafkaInput input =
                KafkaInput.parse(
                        "kafka://k1:9092,k2.example.com:19092,[::1]:9093/pay.ments_2?"
                                + "group=fraud&offsets=1767225600000&format=protobuf");
        assertThat(input.bootstrapServers()).isEqualTo("k1:9092,k2.example.com:19092,[::1]:9093");
        assertThat(input.topic()).isEqualTo("pay.ments_2");
        assertThat(input.group()).isEqualTo("fraud");
        assertThat(input.offsets()).isEqualTo("1767225600000");
        assertThat(input.format()).isEqualTo(KafkaInput.Format.PROTOBUF);
        assertThat(
                        KafkaInput.parse("kafka://h:1/t?offsets=latest")
                                .startingOffsets()
                                .getAutoOffsetResetStrategy())
                .isEqualTo(OffsetResetStrategy.LATEST);
        assertThat(KafkaInput.parse("kafka://h:1/t?offsets=earliest").offsets())
                .isEqualTo("earliest");
    }

    @Test
    void outputDefaultsToExactlyOnceWithTheBrokersMaximumTransactionTimeout() throws Exception {
        KafkaOutput output = KafkaOutput.parse("kafka://localhost:9092/results");
        assertThat(output.delivery()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(output.topic()).isEqualTo("results");
        assertThat(output.lateTopic()).isEqualTo("results-late");
        assertThat(output.deadLettersTopic()).isEqualTo("results-dead-letters");
        // the broker's default transaction.max.timeout.ms: a producer asking for more fails
        assertThat(output.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(KafkaOutput.transactionalIdPrefix("fraud-job", "results"))
                .isEqualTo("fraud-job.results");
    }

    @Test
    void outputAtLeastOnce() throws Exception {
        KafkaOutput output =
                KafkaOutput.parse(
                        "kafka://localhost:9092/results?delivery=at-least-once"
                                + "&transaction-timeout=5m");
        assertThat(output.delivery()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(output.transactionTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "kafka://localhost:9092|no topic: write kafka://HOST:PORT/TOPIC",
                "kafka://localhost:9092/|no topic after the servers",
                "kafka:///payments|no bootstrap server",
                "kafka://localhost/payments|server 'localhost' has no port",
                "kafka://localhost:/payments|server 'localhost:' has no port",
                "kafka://localhost:99999/payments|port '99999' of server 'localhost:99999' is not a number from 1 to 65535",
                "kafka://localhost:nine/payments|port 'nine'",
                "kafka://a:1,,b:2/payments|an empty server in the list",
                "kafka://a b:1/payments|'a b' is not a host name",
                "kafka://localhost:9092/pay/ments|'pay/ments' is not a Kafka topic name",
                "kafka://localhost:9092/payments?grup=x|unknown parameter 'grup'; known:",
                "kafka://localhost:9092/payments?group=|parameter 'group' needs a value",
                "kafka://localhost:9092/payments?group=a&group=b|parameter 'group' is given twice",
                "kafka://localhost:9092/payments?offsets=yesterday|offsets=yesterday: earliest, latest, committed or a timestamp",
                "kafka://localhost:9092/payments?format=avro|format=avro: json or protobuf",
            })
    void badInputsAreNamed(String address, String message) {
        assertThatThrownBy(() -> KafkaInput.parse(address))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--input " + address + ": ")
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "kafka://localhost:9092/results?delivery=twice|delivery=twice: exactly-once or at-least-once",
                "kafka://localhost:9092/results?group=g|unknown parameter 'group'",
                "kafka://localhost:9092/results?transaction-timeout=soon|transaction-timeout: 'soon' is not a duration",
                "kafka://localhost:9092/results?transaction-timeout=10ms|transaction-timeout=10ms: from 1s to 24d",
            })
    void badOutputsAreNamed(String address, String message) {
        assertThatThrownBy(() -> KafkaOutput.parse(address))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--output " + address + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void onlyTheKafkaSchemeIsKafka() {
        assertThat(KafkaUri.isKafka("kafka://h:1/t")).isTrue();
        assertThat(KafkaUri.isKafka("KAFKA://h:1/t")).isTrue();
        assertThat(KafkaUri.isKafka("testdata/payments.jsonl")).isFalse();
        assertThat(KafkaUri.isKafka("s3://bucket/kafka://")).isFalse();
    }
}
