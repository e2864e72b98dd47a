package dev.flinksidecar.kafka.tools;

import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.proto.Event;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cluster/bin/kafka.sh}: topics for the job, from a shell. Every command talks to {@code
 * --bootstrap HOST:PORT}. Exit codes: 0 done, 1 failed (one line saying why), 2 bad usage.
 */
@Command(
        name = "kafka.sh",
        mixinStandardHelpOptions = true,
        version = "flink-sidecar kafka-tools",
        description =
                "Topics for the flink-sidecar job: create, produce event files, consume (read_committed),"
                        + " generate payments.",
        subcommands = {
            KafkaCli.CreateTopic.class,
            KafkaCli.Produce.class,
            KafkaCli.Consume.class,
            KafkaCli.Generate.class
        })
public final class KafkaCli {

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            required = true,
            description =
                    "the broker (kafka.sh defaults to the one cluster/bin/start-kafka.sh started)")
    String bootstrap;

    public static void main(String[] args) {
        System.exit(
                run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new KafkaCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                (e, commandLine, parsed) -> {
                    err.println("kafka.sh " + commandLine.getCommandName() + ": " + message(e));
                    return 1;
                });
        return cli.execute(args);
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    @Command(name = "create-topic", description = "Creates a topic (replication factor 1).")
    static final class CreateTopic implements Callable<Integer> {
        @ParentCommand KafkaCli parent;

        @Parameters(paramLabel = "NAME")
        String name;

        @Option(
                names = "--partitions",
                paramLabel = "N",
                defaultValue = "1",
                description = "default: 1")
        int partitions;

        @Option(names = "--if-not-exists", description = "no error when it exists already")
        boolean ifNotExists;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (partitions < 1) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--partitions must be at least 1");
            }
            if (Topics.create(parent.bootstrap, name, partitions)) {
                spec.commandLine()
                        .getOut()
                        .println("created topic " + name + " with " + partitions + " partitions");
            } else if (ifNotExists) {
                spec.commandLine().getOut().println("topic " + name + " exists");
            } else {
                throw new IllegalStateException("topic " + name + " exists already");
            }
            return 0;
        }
    }

    @Command(
            name = "produce",
            description =
                    "Sends an event file to a topic, one record per event: a JSON Lines"
                            + " file line by line (key: the event's key field; a line that is no event is sent without key), a"
                            + " .pb file (length-delimited protobuf Events) as one serialized Event per record.")
    static final class Produce implements Callable<Integer> {
        @ParentCommand KafkaCli parent;

        @Option(names = "--topic", required = true, paramLabel = "T")
        String topic;

        @Option(
                names = "--file",
                required = true,
                paramLabel = "F",
                description = "a file, or - for stdin (JSON Lines)")
        String file;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long sent = 0;
            Deliveries deliveries = new Deliveries(topic);
            try (KafkaProducer<byte[], byte[]> producer = Topics.producer(parent.bootstrap)) {
                if (file.endsWith(".pb")) {
                    try (InputStream in = Files.newInputStream(Path.of(file))) {
                        Event event;
                        while ((event = Event.parseDelimitedFrom(in)) != null) {
                            producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            event.getKey().getBytes(StandardCharsets.UTF_8),
                                            event.toByteArray()),
                                    deliveries);
                            sent++;
                        }
                    }
                } else {
                    try (BufferedReader lines =
                            file.equals("-")
                                    ? new BufferedReader(
                                            new java.io.InputStreamReader(
                                                    System.in, StandardCharsets.UTF_8))
                                    : Files.newBufferedReader(
                                            Path.of(file), StandardCharsets.UTF_8)) {
                        String line;
                        while ((line = lines.readLine()) != null) {
                            if (line.isBlank()) {
                                continue;
                            }
                            producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            Topics.keyOf(line),
                                            line.getBytes(StandardCharsets.UTF_8)),
                                    deliveries);
                            sent++;
                        }
                    }
                }
                producer.flush();
            }
            deliveries.check();
            spec.commandLine().getOut().println("sent " + sent + " records to " + topic);
            return 0;
        }
    }

    @Command(
            name = "consume",
            description =
                    "Prints a topic's committed values (isolation.level=read_committed),"
                            + " one per line, from every partition, until stopped or idle.")
    static final class Consume implements Callable<Integer> {
        @ParentCommand KafkaCli parent;

        @Option(names = "--topic", required = true, paramLabel = "T")
        String topic;

        @Option(
                names = "--from-beginning",
                description = "from the first record (default: only new ones)")
        boolean fromBeginning;

        @Option(
                names = "--idle-exit",
                paramLabel = "SECONDS",
                description =
                        "exit once no record has come for this long (default: run until stopped)")
        Integer idleExit;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KafkaConsumer<byte[], byte[]> consumer =
                    Topics.committedReader(parent.bootstrap, topic, fromBeginning)) {
                if (idleExit != null) {
                    Topics.drain(consumer, Duration.ofSeconds(idleExit), out::println);
                } else {
                    Stop stop = stopOnShutdown();
                    try {
                        while (!stop.get()) {
                            for (ConsumerRecord<byte[], byte[]> record :
                                    consumer.poll(Duration.ofMillis(500))) {
                                out.println(
                                        record.value() == null
                                                ? ""
                                                : new String(
                                                        record.value(), StandardCharsets.UTF_8));
                            }
                            out.flush();
                        }
                    } finally {
                        out.flush();
                        stop.done();
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "generate",
            description =
                    "Sends payments shaped like testdata/payments.jsonl, at event time"
                            + " now, until stopped (or --count): JSON, keyed by card.")
    static final class Generate implements Callable<Integer> {
        @ParentCommand KafkaCli parent;

        @Option(names = "--topic", required = true, paramLabel = "T")
        String topic;

        @Option(
                names = "--rate",
                required = true,
                paramLabel = "N",
                description = "events per second")
        int rate;

        @Option(
                names = "--keys",
                paramLabel = "K",
                defaultValue = "500",
                description = "cards (default: 500)")
        int keys;

        @Option(
                names = "--count",
                paramLabel = "N",
                description = "stop after N events (default: never)")
        Long count;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "default: 1")
        long seed;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (rate < 1 || keys < 1) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--rate and --keys must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            Payments payments = new Payments(seed, keys);
            Stop stop = stopOnShutdown();
            try {
                long start = System.nanoTime();
                long sent = 0;
                long lastTime = 0;
                Deliveries deliveries = new Deliveries(topic);
                try (KafkaProducer<byte[], byte[]> producer = Topics.producer(parent.bootstrap)) {
                    while (!stop.get() && (count == null || sent < count)) {
                        long due = start + sent * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(
                                    wait / 1_000_000, (int) (wait % 1_000_000)); // the rate's pace
                        }
                        // event time never goes back, so each partition is in time order
                        lastTime = Math.max(lastTime, System.currentTimeMillis());
                        EventRecord event = payments.next(lastTime);
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        event.key().getBytes(StandardCharsets.UTF_8),
                                        EventJson.toJson(event).getBytes(StandardCharsets.UTF_8)),
                                deliveries);
                        sent++;
                        if (sent % ((long) rate * 10) == 0) {
                            out.println("sent " + sent + " events");
                            out.flush();
                        }
                    }
                    producer.flush();
                }
                deliveries.check();
                out.println("sent " + sent + " events to " + topic);
                out.flush();
            } finally {
                stop.done();
            }
            return 0;
        }
    }

    /**
     * A flag that a shutdown (Ctrl-C, SIGTERM) sets; the command then ends its loop, flushes,
     * prints and calls {@link Stop#done}, which the shutdown waits for (at most 10 s).
     */
    private static Stop stopOnShutdown() {
        Stop stop = new Stop();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    stop.requested.set(true);
                                    try {
                                        stop.finished.await(
                                                10, java.util.concurrent.TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                },
                                "kafka-cli-shutdown"));
        return stop;
    }

    /** See {@link #stopOnShutdown}. */
    private static final class Stop {
        final AtomicBoolean requested = new AtomicBoolean();
        final java.util.concurrent.CountDownLatch finished =
                new java.util.concurrent.CountDownLatch(1);

        boolean get() {
            return requested.get();
        }

        void done() {
            finished.countDown();
        }
    }
}
