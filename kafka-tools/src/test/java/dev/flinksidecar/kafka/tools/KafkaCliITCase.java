package dev.flinksidecar.kafka.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against a real single-node KRaft broker ({@link KafkaBroker}, started from
 * {@code target/lib} on a free port in the test's own folder, killed at the end): create a topic,
 * produce an event file with a malformed line, read it back committed, generate payments; a record
 * the broker does not take fails {@code produce}.
 */
@Timeout(180)
class KafkaCliITCase {

    @TempDir static Path tmp;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker =
                KafkaBroker.start(
                        tmp.resolve("broker"),
                        0,
                        KafkaBroker.classPath(Path.of("..").toAbsolutePath()),
                        Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void producesAFileAndConsumesItBack() throws Exception {
        assertThat(cli("create-topic", "events", "--partitions", "3").out)
                .contains("created topic events");
        Result again = cli("create-topic", "events", "--partitions", "3");
        assertThat(again.exit).isEqualTo(1);
        assertThat(again.err).contains("exists already");
        assertThat(cli("create-topic", "events", "--partitions", "3", "--if-not-exists").exit)
                .isZero();

        Path file = tmp.resolve("events.jsonl");
        List<String> lines =
                List.of(
                        "{\"key\":\"a\",\"time\":1,\"type\":\"payment\",\"amount\":5}",
                        "{\"time\":2}",
                        "{\"key\":\"b\",\"time\":3,\"type\":\"payment\",\"amount\":7}");
        Files.write(file, lines);
        assertThat(cli("produce", "--topic", "events", "--file", file.toString()).out)
                .contains("sent 3 records");

        Result consumed =
                cli("consume", "--topic", "events", "--from-beginning", "--idle-exit", "3");
        assertThat(consumed.exit).isZero();
        assertThat(consumed.out.lines()).containsExactlyInAnyOrderElementsOf(lines);
        assertThat(Topics.committedValuesToEnd(broker.bootstrap(), "events", Duration.ofMinutes(1)))
                .containsExactlyInAnyOrderElementsOf(lines);
    }

    /**
     * A record the broker does not take (here: above the producer's 1 MiB request size) fails the
     * command, saying so; the others are written.
     */
    @Test
    void aRecordNotWrittenFailsProduceAndTheOthersAreWritten() throws Exception {
        cli("create-topic", "sizes", "--partitions", "1");
        Path file = tmp.resolve("sizes.jsonl");
        List<String> small =
                List.of(
                        "{\"key\":\"a\",\"time\":1,\"note\":\"small\"}",
                        "{\"key\":\"c\",\"time\":3,\"note\":\"small\"}");
        Files.write(
                file,
                List.of(
                        small.get(0),
                        "{\"key\":\"b\",\"time\":2,\"note\":\"" + "x".repeat(2 << 20) + "\"}",
                        small.get(1)));
        Result produced = cli("produce", "--topic", "sizes", "--file", file.toString());
        assertThat(produced.exit).isEqualTo(1);
        assertThat(produced.out).doesNotContain("sent");
        assertThat(produced.err)
                .contains("1 records were not written to sizes (2 were)")
                .contains("RecordTooLarge");
        assertThat(Topics.committedValuesToEnd(broker.bootstrap(), "sizes", Duration.ofMinutes(1)))
                .containsExactlyElementsOf(small);
    }

    @Test
    void generatesPayments() throws Exception {
        Result generated =
                cli(
                        "generate",
                        "--topic",
                        "payments",
                        "--rate",
                        "2000",
                        "--keys",
                        "20",
                        "--count",
                        "500");
        assertThat(generated.out).contains("sent 500 events to payments");
        List<String> values =
                Topics.committedValuesToEnd(broker.bootstrap(), "payments", Duration.ofMinutes(1));
        assertThat(values)
                .hasSize(500)
                .allSatisfy(
                        v ->
                                assertThat(v)
                                        .contains("\"type\":\"payment\"")
                                        .contains("\"amount\":")
                                        .contains("\"merchant\":")
                                        .contains("\"key\":\"card-00"));
    }

    @Test
    void aMissingBootstrapIsAUsageError() {
        assertThat(
                        KafkaCli.run(
                                new PrintWriter(new StringWriter()),
                                new PrintWriter(new StringWriter()),
                                "create-topic",
                                "x"))
                .isEqualTo(2);
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap";
        all[1] = broker.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        int exit = KafkaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Result(exit, out.toString(), err.toString());
    }

    private static final class Result {
        final int exit;
        final String out;
        final String err;

        Result(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }
    }
}
