package dev.flinksidecar.kafka.tools;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A single-node Kafka broker in KRaft mode (controller and broker in one process) as a child
 * process, for tests and benchmarks: {@code kafka.tools.StorageTool format} with a random cluster
 * id, then {@code kafka.Kafka}, with listeners on localhost only, every log and data file in the
 * caller's folder. {@code cluster/bin/start-kafka.sh} starts the same broker from a shell.
 *
 * <p>Uses the JDK only, so that a module can put this class on its class path without the broker's
 * own jars (they are the class path of the child: {@code kafka-tools/target/lib}). Not thread-safe;
 * {@link #close} kills the broker and waits for it to end.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    /**
     * Kills the broker when the JVM ends without {@link #close} (a test run killed on a timeout).
     */
    private final Thread shutdownHook;

    private KafkaBroker(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.shutdownHook = new Thread(process::destroyForcibly, "kill-kafka-broker");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * The broker's class path from the repository's build: every jar of {@code
     * kafka-tools/target/lib} under {@code root}.
     *
     * @throws IOException when it was not built
     */
    public static List<Path> classPath(Path root) throws IOException {
        Path lib = root.resolve("kafka-tools/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IOException(
                    "no broker jars in "
                            + lib
                            + ": build them with mvn -pl kafka-tools -am package");
        }
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.filter(p -> p.toString().endsWith(".jar"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /**
     * Formats {@code dir/data} and starts a broker on {@code localhost:port} (0: a free port),
     * returning when it accepts connections.
     *
     * @throws IOException when it does not start within {@code timeout}, with the end of its log
     */
    public static KafkaBroker start(Path dir, int port, List<Path> classPath, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        Files.writeString(
                config, serverProperties(dir.resolve("data"), brokerPort, controllerPort));
        Path logConfig = dir.resolve("log4j2.properties");
        Files.writeString(logConfig, logProperties(dir.resolve("server.log")));
        String cp =
                classPath.stream()
                        .map(Path::toString)
                        .collect(Collectors.joining(File.pathSeparator));
        Path out = dir.resolve("broker.out");

        Process format =
                new ProcessBuilder(
                                java(
                                        cp,
                                        logConfig,
                                        "kafka.tools.StorageTool",
                                        "format",
                                        "--cluster-id",
                                        clusterId(),
                                        "--config",
                                        config.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("format.out").toFile())
                        .start();
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IOException(
                    "formatting the broker's storage failed: "
                            + Files.readString(dir.resolve("format.out")));
        }
        List<String> command = java(cp, logConfig, "kafka.Kafka", config.toString());
        command.addAll(1, List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC"));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                        .start();
        KafkaBroker broker = new KafkaBroker(process, brokerPort, dir);
        try {
            broker.awaitAccepting(timeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /**
     * {@code write-config DIR PORT}: writes {@code DIR/server.properties} (data in {@code
     * DIR/data}, the controller on a free port) and {@code DIR/log4j2.properties} (log: {@code
     * DIR/server.log}), the files {@code cluster/bin/start-kafka.sh} starts the broker with; {@code
     * cluster-id}: prints a random cluster id.
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("write-config")) {
            Path dir = Path.of(args[1]).toAbsolutePath();
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("server.properties"),
                    serverProperties(dir.resolve("data"), Integer.parseInt(args[2]), freePort()));
            Files.writeString(
                    dir.resolve("log4j2.properties"), logProperties(dir.resolve("server.log")));
        } else if (args.length == 1 && args[0].equals("cluster-id")) {
            System.out.println(clusterId());
        } else {
            System.err.println("usage: KafkaBroker write-config DIR PORT | cluster-id");
            System.exit(2);
        }
    }

    /** The broker's configuration: one node, controller and broker, listeners on localhost. */
    public static String serverProperties(Path dataDir, int brokerPort, int controllerPort) {
        return String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@localhost:" + controllerPort,
                        "listeners=PLAINTEXT://localhost:"
                                + brokerPort
                                + ",CONTROLLER://localhost:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://localhost:" + brokerPort,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dataDir,
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=3",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=3",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "auto.create.topics.enable=true",
                        "log.flush.interval.messages=9223372036854775807",
                        "")
                + "\n";
    }

    private static String logProperties(Path logFile) {
        return String.join(
                        "\n",
                        "status = warn",
                        "appender.file.type = File",
                        "appender.file.name = file",
                        "appender.file.fileName = " + logFile,
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "")
                + "\n";
    }

    private static List<String> java(
            String classPath, Path logConfig, String mainClass, String... args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dlog4j2.configurationFile=" + logConfig,
                                "-cp",
                                classPath,
                                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * A random KRaft cluster id: 16 random bytes, base64url without padding, as Kafka writes them.
     * Never one that starts with {@code -} (one in 64 would): {@code kafka-storage format
     * --cluster-id -x...} takes it for an option and fails, which is why Kafka's own random ids
     * skip those too.
     */
    static String clusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket =
                new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitAccepting(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(
                        "the broker exited with " + process.exitValue() + ": " + tail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(
                            "the broker did not accept connections on port "
                                    + port
                                    + " within "
                                    + timeout
                                    + ": "
                                    + tail());
                }
            }
            Thread.sleep(100); // polling the port, bounded by the deadline
        }
    }

    /** {@code localhost:PORT}. */
    public String bootstrap() {
        return "localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** The last lines of the broker's log, for error messages. */
    public String tail() {
        Path log =
                Files.exists(dir.resolve("server.log"))
                        ? dir.resolve("server.log")
                        : dir.resolve("broker.out");
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /**
     * Kills the broker (SIGKILL: its data is a test's, thrown away) and waits, at most a minute,
     * for it to end; an interrupt ends the wait and stays set.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        process.destroyForcibly();
        try {
            process.waitFor(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
