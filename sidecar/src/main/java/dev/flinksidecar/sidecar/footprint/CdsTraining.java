package dev.flinksidecar.sidecar.footprint;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.Protocol;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Goodbye;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.WindowedRule;
import dev.flinksidecar.sidecar.logging.SidecarLogging;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.ToIntFunction;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training run of the sidecar's class data sharing archive {@code target/sidecar.jsa}. The
 * build runs it as {@code java -XX:ArchiveClassesAtExit=target/sidecar.jsa -jar target/sidecar.jar
 * --cds-training}: started as the launcher starts the sidecar, so that the archive matches the
 * launcher's JVM and also holds what {@code -jar}'s own start loads, and the JVM writes into the
 * archive every class this run loaded. The entry point {@code Main} hands that argument here
 * ({@link #trainAndExit}), with its own command line to serve through, so that this package does
 * not depend back on it. So the run goes through what a sidecar does when it starts and serves, in
 * this JVM:
 *
 * <ol>
 *   <li>{@code serve --http-port 0} on a socket in a temp folder, with a rules folder holding two
 *       rule jars: {@link TrainingRule}, and {@link TrainingWindowedRule} with a config;
 *   <li>a session as the Flink operator opens it: Hello, Welcome, two EventBatches and their
 *       ResultBatches (one result per event; the second batch's watermark also fires the first
 *       one's windows, one per key), Goodbye;
 *   <li>{@code /health/ready} (until 200) and {@code /metrics} on the port the sidecar logs ({@code
 *       HTTP on port N});
 *   <li>{@code System.exit(0)}: the sidecar's shutdown hook stops it as SIGTERM would.
 * </ol>
 *
 * <p>A step that fails or does not happen within {@link #STEP_TIMEOUT} ends the JVM with exit code
 * 1 and the reason on stderr, which fails the build: the archive is part of the product.
 */
public final class CdsTraining {

    /**
     * The argument of {@code java -jar sidecar.jar} that runs this training instead of a command.
     */
    public static final String ARGUMENT = "--cds-training";

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_MS = 10;
    private static final int EVENTS = 16;
    private static final int KEYS = 4;

    /** The first batch's events and watermark; the second's are an hour (the window size) later. */
    private static final long START = 1_700_000_000_000L;

    private static final long HOUR_MS = 3_600_000L;
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP on port (\\d+)");

    private final Path dir;
    private final LogWatch log;
    private final ToIntFunction<String[]> sidecar;
    private Thread serve;
    private volatile int serveExit = -1;

    private CdsTraining(Path dir, LogWatch log, ToIntFunction<String[]> sidecar) {
        this.dir = dir;
        this.log = log;
        this.sidecar = sidecar;
    }

    /**
     * Runs the training (see the class comment) on the main thread and ends the JVM: exit code 0,
     * or 1 with the reason when a step failed.
     *
     * @param sidecar runs a sidecar command line in this JVM and returns its exit code, as {@code
     *     Main.run} does
     */
    public static void trainAndExit(ToIntFunction<String[]> sidecar) {
        SidecarLogging.install();
        int exit = 0;
        try {
            LogWatch log = new LogWatch(System.err);
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            new CdsTraining(temporaryFolder(), log, sidecar).run();
            System.out.println(
                    "CDS training: served one session; the JVM writes the archive as it exits");
        } catch (Exception e) {
            System.out.println("CDS training failed: " + e);
            e.printStackTrace(System.out);
            exit = 1;
        }
        // Runs the sidecar's shutdown hook (a graceful stop), then the JVM dumps the archive.
        System.exit(exit);
    }

    private void run() throws Exception {
        Path socket = dir.resolve("sidecar.sock");
        Path rules = dir.resolve("rules");
        Files.createDirectory(rules);
        deleteOnExit(rules);
        writeRuleJar(rules.resolve("training.jar"), TrainingRule.class, Rule.class);
        writeRuleJar(
                rules.resolve("training-windowed.jar"),
                TrainingWindowedRule.class,
                WindowedRule.class);
        Path config = rules.resolve("training-windowed.json");
        Files.writeString(config, "{\"window\": {\"type\": \"tumbling\", \"size\": \"1h\"}}\n");
        deleteOnExit(config);
        String[] serveArgs = {
            "serve",
            "--socket",
            socket.toString(),
            "--rules-dir",
            rules.toString(),
            "--http-port",
            "0"
        };
        serve = new Thread(() -> serveExit = sidecar.applyAsInt(serveArgs), "cds-training-serve");
        serve.start();
        awaitAccepting(socket);
        runSession(socket);
        int httpPort = log.awaitHttpPort(STEP_TIMEOUT);
        awaitHttp(httpPort, "/health/ready");
        awaitHttp(httpPort, "/metrics");
    }

    private void awaitAccepting(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    probe.connect(UnixDomainSocketAddress.of(socket));
                    return;
                } catch (IOException notYet) {
                    // bound but not yet listening
                }
            }
            serve.join(POLL_MS);
            if (!serve.isAlive()) {
                throw new IOException(
                        "serve ended with exit code "
                                + serveExit
                                + " before "
                                + socket
                                + " accepted");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        socket + " did not accept within " + STEP_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    /** Hello, one EventBatch and its ResultBatch, Goodbye; then waits for the sidecar to close. */
    private static void runSession(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            send(
                    channel,
                    ClientMessage.newBuilder()
                            .setHello(
                                    Hello.newBuilder()
                                            .setProtocolVersion(Protocol.VERSION)
                                            .setJobName("cds-training")
                                            .setOperatorName("sidecar")
                                            .setParallelism(1)
                                            .setMaxParallelism(128)
                                            .setMaxFrameBytes(Protocol.DEFAULT_MAX_FRAME_BYTES))
                            .build());
            ServerMessage welcome = receive(channel);
            if (!welcome.hasWelcome() || welcome.getWelcome().getRulesCount() != 2) {
                throw new IOException(
                        "expected a Welcome with the two training rules, got " + welcome);
            }
            exchange(channel, 1, START, 0);
            exchange(channel, 2, START + HOUR_MS, KEYS);
            send(
                    channel,
                    ClientMessage.newBuilder()
                            .setGoodbye(Goodbye.newBuilder().setReason("end of input"))
                            .build());
            while (channel.read(ByteBuffer.allocate(256)) >= 0) {
                // the sidecar closes the session after Goodbye
            }
        }
    }

    /**
     * Sends batch {@code sequence}: {@link #EVENTS} events from {@code time} on, with that time as
     * watermark; expects one result per event and {@code fired} window results.
     */
    private static void exchange(SocketChannel channel, long sequence, long time, int fired)
            throws IOException {
        EventBatchWriter batch = new EventBatchWriter();
        for (int i = 0; i < EVENTS; i++) {
            batch.add(
                    EventRecord.builder("key-" + i % KEYS, time + i)
                            .type("payment")
                            .set("amount", 10.5 * i)
                            .set("count", (long) i)
                            .set("merchant", "m" + i)
                            .set("card", i % 2 == 0)
                            .build());
        }
        send(
                channel,
                ClientMessage.newBuilder().setEvents(batch.build(sequence, true, time)).build());
        ServerMessage answer = receive(channel);
        if (!answer.hasResults() || answer.getResults().getResultsCount() != EVENTS + fired) {
            throw new IOException(
                    "expected a ResultBatch with " + (EVENTS + fired) + " results, got " + answer);
        }
    }

    private static void send(SocketChannel channel, ClientMessage message) throws IOException {
        byte[] body = message.toByteArray();
        ByteBuffer frame =
                ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    private static ServerMessage receive(SocketChannel channel) throws IOException {
        int length = readFully(channel, 4).getInt();
        return ServerMessage.parseFrom(readFully(channel, length));
    }

    private static ByteBuffer readFully(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("the sidecar closed the session early");
            }
        }
        return buffer.flip();
    }

    /** GETs {@code path} on the sidecar's HTTP port until it answers 200. */
    private static void awaitHttp(int port, String path) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        String status = httpStatusLine(port, path);
        while (!status.contains(" 200")) {
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "GET "
                                + path
                                + " on port "
                                + port
                                + " answered '"
                                + status
                                + "', not 200, for "
                                + STEP_TIMEOUT.toSeconds()
                                + " s");
            }
            Thread.sleep(POLL_MS);
            status = httpStatusLine(port, path);
        }
    }

    /**
     * The status line of a plain HTTP/1.1 GET, read to the end so that the server writes the whole
     * answer.
     */
    private static String httpStatusLine(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream()
                    .write(
                            ("GET "
                                            + path
                                            + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            String answer =
                    new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = answer.indexOf("\r\n");
            return end < 0 ? answer : answer.substring(0, end);
        }
    }

    /** A rule jar holding {@code rule} and the services file of {@code service} that names it. */
    private static void writeRuleJar(Path jar, Class<?> rule, Class<?> service) throws IOException {
        String classFile = rule.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = CdsTraining.class.getClassLoader().getResourceAsStream(classFile)) {
            if (in == null) {
                throw new IOException(classFile + " is not on the class path");
            }
            bytes = in.readAllBytes();
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "1.0.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("META-INF/services/" + service.getName()));
            out.write((rule.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry(classFile));
            out.write(bytes);
        }
        deleteOnExit(jar);
    }

    private static Path temporaryFolder() throws IOException {
        Path dir = Files.createTempDirectory("sidecar-cds-training");
        deleteOnExit(dir);
        return dir;
    }

    /**
     * Deletes {@code path} when the JVM exits, after every shutdown hook (so after the sidecar
     * stopped and removed its sockets); paths registered later are deleted first.
     */
    private static void deleteOnExit(Path path) {
        path.toFile().deleteOnExit();
    }

    /**
     * Stderr, passed through, watched for the sidecar's {@code HTTP on port N} line. The sidecar
     * logs (SidecarLogging) to whatever {@code System.err} is at the time.
     */
    private static final class LogWatch extends OutputStream {

        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private Integer httpPort;

        LogWatch(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            target.write(b);
            if (b != '\n') {
                line.write(b);
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            Matcher port = HTTP_PORT.matcher(text);
            if (port.find()) {
                httpPort = Integer.valueOf(port.group(1));
                notifyAll();
            }
        }

        @Override
        public void flush() {
            target.flush();
        }

        /** The HTTP port the sidecar logged. */
        synchronized int awaitHttpPort(Duration timeout) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (httpPort == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(
                            "the sidecar did not log 'HTTP on port N' within "
                                    + timeout.toSeconds()
                                    + " s");
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return httpPort;
        }
    }
}
