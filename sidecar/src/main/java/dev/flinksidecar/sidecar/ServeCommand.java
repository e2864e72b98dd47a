package dev.flinksidecar.sidecar;

import dev.flinksidecar.sidecar.http.Health;
import dev.flinksidecar.sidecar.http.HttpEndpoint;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.session.Sessions;
import dev.flinksidecar.sidecar.transport.SidecarServer;
import dev.flinksidecar.sidecar.transport.SocketFiles;
import dev.flinksidecar.sidecar.transport.SocketPathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code serve}: starts the HTTP endpoint if asked ({@code --http-port}), deploys the jars of the
 * rules directory, binds the admin socket and the data socket, serves sessions until SIGTERM, then
 * answers what is in flight, removes the sockets and exits with 0 ({@link TermSignal}). A refused
 * rule jar is logged and left out; the other rules run. While it runs, rules change through {@code
 * admin} and the watched rules directory ({@link RuleManagement}).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Runs the sidecar: accepts sessions from the Flink job on a Unix domain socket and runs "
                        + "the rule jars of a directory, which may change while it runs (admin socket, watched directory). "
                        + "Stops on SIGTERM after answering the batches in flight.")
public final class ServeCommand implements Callable<Integer> {

    @Option(
            names = "--socket",
            required = true,
            paramLabel = "PATH",
            description =
                    "Unix domain socket to accept sessions on. A stale socket file is replaced.")
    Path socket;

    @Option(
            names = "--rules-dir",
            required = true,
            paramLabel = "DIR",
            description =
                    "Folder of rule jars (NAME.jar, optional config NAME.json), watched for changes.")
    Path rulesDir;

    @Option(
            names = "--admin-socket",
            paramLabel = "PATH",
            description =
                    "Unix domain socket for the admin command (default: the --socket path + .admin).")
    Path adminSocket;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description =
                    "Serves /metrics (Prometheus), /health/live and /health/ready on this TCP port "
                            + "(on sidecar.http.host; 0 picks a free port). Without it no HTTP server runs and no metrics are recorded.")
    Integer httpPort;

    @Option(
            names = {"-C", "--conf"},
            paramLabel = "KEY=VALUE",
            description =
                    "Sets one setting of sidecar/OPTIONS.md, e.g. sidecar.rules.executor-threads=4. Repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    /**
     * The command for {@code args} when they are {@code serve} followed only by this command's
     * options, each in the form {@code --name value} or {@code --name=value} (and {@code -C
     * value}), the single-valued ones once, with values picocli would accept as they are: a path,
     * digits for the port, {@code KEY=VALUE}; null otherwise, and picocli parses them (help, usage
     * errors, argument files). Main runs this common case without picocli's command tree; {@code
     * ServeCommandTest} checks that both parse alike.
     */
    static ServeCommand plain(String... args) {
        if (args.length == 0 || !args[0].equals("serve")) {
            return null;
        }
        ServeCommand command = new ServeCommand();
        Set<String> given = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            String value;
            int equals = name.indexOf('=');
            if (name.startsWith("--") && equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
                return null;
            }
            try {
                switch (name) {
                    case "--socket" -> command.socket = Path.of(value);
                    case "--rules-dir" -> command.rulesDir = Path.of(value);
                    case "--admin-socket" -> command.adminSocket = Path.of(value);
                    case "--http-port" -> {
                        if (!value.matches("[0-9]{1,9}")) {
                            return null;
                        }
                        command.httpPort = Integer.parseInt(value);
                    }
                    case "-C", "--conf" -> {
                        int split = value.indexOf('=');
                        if (split <= 0) {
                            return null;
                        }
                        command.conf.put(value.substring(0, split), value.substring(split + 1));
                    }
                    default -> {
                        return null;
                    }
                }
            } catch (InvalidPathException e) {
                return null;
            }
            boolean repeatable = name.equals("-C") || name.equals("--conf");
            if (!given.add(name) && !repeatable) {
                return null;
            }
        }
        return command.socket != null && command.rulesDir != null ? command : null;
    }

    /**
     * The order is the readiness contract: the HTTP endpoint starts on a thread of its own while
     * this thread loads the rules and then binds the admin socket and the data socket; probes see
     * "not ready" until the rules are loaded and the data socket accepts. The two threads do not
     * wait for each other until the end (on two cores the start takes about the time of the longer
     * one; the HTTP start, Netty's first use, took longer than the rules: BENCHMARKS.md,
     * StartupFootprint). The metrics registry and the JVM's metrics are built after that, off the
     * path to ready.
     *
     * <p>Code on the path to ready joins strings with {@link String#concat} and SLF4J's
     * placeholders, not {@code +}: javac compiles {@code +} to an invokedynamic call site, and each
     * new shape of one (argument types) costs a cold JVM about 10 ms to link, 50 ms in all before
     * this rule (BENCHMARKS.md, StartupFootprint). Error messages, built only on failure, use
     * {@code +}.
     */
    @Override
    public Integer call() throws InterruptedException {
        SidecarConfig config =
                SidecarConfig.forCommand(conf)
                        .with(SidecarOptions.SOCKET_PATH, socket)
                        .with(SidecarOptions.RULES_DIR, rulesDir);
        if (!Files.isDirectory(rulesDir)) {
            throw new CliException(
                    "rules directory "
                            + rulesDir.toAbsolutePath()
                            + (Files.exists(rulesDir) ? " is not a directory" : " does not exist"),
                    CliException.USAGE);
        }
        if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
            throw new CliException(
                    "--http-port " + httpPort + " is not a TCP port (0 to 65535)",
                    CliException.USAGE);
        }
        Path admin = adminSocketPath(config);
        prepareSocket(socket);
        prepareSocket(admin);
        Health health = new Health();
        SidecarMetrics metrics =
                httpPort != null
                        ? SidecarMetrics.create(config.get(SidecarOptions.METRICS_ENABLED))
                        : SidecarMetrics.disabled();
        FutureTask<HttpEndpoint> httpStart =
                new FutureTask<>(() -> startHttp(config, metrics, health));
        if (httpPort != null) {
            new Thread(httpStart, "sidecar-http-start").start();
        } else {
            httpStart.run(); // no endpoint: nothing to start beside the rules
        }
        RuleManagement rules;
        try {
            rules = loadRules(config, metrics);
        } catch (CliException e) {
            stopHttp(httpStart);
            throw e;
        }
        health.rulesLoaded();
        SidecarServer server;
        try {
            rules.startAdmin(admin);
            server = SidecarServer.start(config, rules.registry(), SidecarVersion.get(), metrics);
        } catch (SocketPathException e) {
            rules.close();
            stopHttp(httpStart);
            throw new CliException(
                    e.getMessage(), e.inUse() ? CliException.FAILURE : CliException.USAGE);
        } catch (IOException e) {
            rules.close();
            stopHttp(httpStart);
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
        health.accepting(server::isAccepting);
        health.quarantined(
                () ->
                        rules.registry().quarantines().all().stream()
                                .map(q -> q.id() + " " + q.version() + ": " + q.reason())
                                .toList());
        HttpEndpoint http;
        try {
            http = awaitHttp(httpStart);
        } catch (CliException e) {
            server.shutdown();
            rules.close();
            throw e;
        }
        Sessions sessions = server.sessions();
        metrics.gauge(
                "sidecar.sessions.open",
                "sessions whose connection is open",
                null,
                sessions,
                Sessions::liveCount);
        metrics.start();
        FutureTask<Void> stop =
                new FutureTask<>(
                        () -> {
                            health.stopping();
                            rules.closeAdmin();
                            server.shutdown();
                            rules.close();
                            closeHttp(http);
                        },
                        null);
        TermSignal.onTerm(() -> new Thread(stop, "sidecar-shutdown").start());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> finish(stop), "sidecar-shutdown-hook"));
        server.awaitTermination();
        finish(stop);
        return 0;
    }

    /**
     * Runs the clean stop unless it already runs or ran, and waits for its end: SIGTERM starts it
     * on a thread of its own, and {@code call} returns 0 once it is done; the shutdown hook (any
     * other way the JVM stops, SIGINT for one) runs it too.
     */
    private static void finish(FutureTask<Void> stop) {
        stop.run();
        try {
            stop.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the sidecar did not stop cleanly", e.getCause());
        }
    }

    private HttpEndpoint startHttp(SidecarConfig config, SidecarMetrics metrics, Health health) {
        if (httpPort == null) {
            return null;
        }
        try {
            return HttpEndpoint.start(
                    config.get(SidecarOptions.HTTP_HOST),
                    httpPort,
                    config.get(SidecarOptions.NATIVE_TRANSPORT),
                    metrics,
                    health);
        } catch (IOException e) {
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
    }

    /** The started endpoint (null without {@code --http-port}); rethrows why it could not start. */
    private static HttpEndpoint awaitHttp(FutureTask<HttpEndpoint> start)
            throws InterruptedException {
        try {
            return start.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CliException) {
                throw (CliException) e.getCause();
            }
            throw new CliException(
                    "the HTTP endpoint did not start: " + e.getCause(), CliException.FAILURE);
        }
    }

    /** Waits until the endpoint started, or failed to, and closes it. */
    private static void stopHttp(FutureTask<HttpEndpoint> start) throws InterruptedException {
        try {
            closeHttp(start.get());
        } catch (ExecutionException e) {
            // it did not start: nothing to close
        }
    }

    private static void closeHttp(HttpEndpoint http) {
        if (http != null) {
            http.close();
        }
    }

    private Path adminSocketPath(SidecarConfig config) {
        if (adminSocket != null) {
            return adminSocket;
        }
        String configured = config.get(SidecarOptions.ADMIN_SOCKET_PATH);
        return configured.isEmpty()
                ? Path.of(socket.toString().concat(".admin"))
                : Path.of(configured);
    }

    private static void prepareSocket(Path socket) {
        try {
            SocketFiles.prepare(socket);
        } catch (SocketPathException e) {
            throw new CliException(
                    e.getMessage(), e.inUse() ? CliException.FAILURE : CliException.USAGE);
        }
    }

    private static RuleManagement loadRules(SidecarConfig config, SidecarMetrics metrics) {
        try {
            return RuleManagement.start(
                    config, Path.of(config.get(SidecarOptions.RULES_DIR)), metrics);
        } catch (IOException e) {
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
    }
}
