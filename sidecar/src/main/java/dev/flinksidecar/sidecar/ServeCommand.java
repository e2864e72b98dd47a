package dev.flinksidecar.sidecar;

import dev.flinksidecar.sidecar.transport.SidecarServer;
import dev.flinksidecar.sidecar.transport.SocketFiles;
import dev.flinksidecar.sidecar.transport.SocketPathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code serve}: deploys the jars of the rules directory, binds the admin socket and the data
 * socket, serves sessions until SIGTERM, then answers what is in flight, removes the sockets and
 * exits. A refused rule jar is logged and left out; the other rules run. While it runs, rules
 * change through {@code admin} and the watched rules directory ({@link RuleManagement}).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Runs the sidecar: accepts sessions from the Flink job on a Unix domain socket and runs "
                + "the rule jars of a directory, which may change while it runs (admin socket, watched directory). "
                + "Stops on SIGTERM after answering the batches in flight.")
public final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--socket", required = true, paramLabel = "PATH",
            description = "Unix domain socket to accept sessions on. A stale socket file is replaced.")
    Path socket;

    @Option(names = "--rules-dir", required = true, paramLabel = "DIR",
            description = "Folder of rule jars (NAME.jar, optional config NAME.json), watched for changes.")
    Path rulesDir;

    @Option(names = "--admin-socket", paramLabel = "PATH",
            description = "Unix domain socket for the admin command (default: the --socket path + .admin).")
    Path adminSocket;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Reserved: /metrics and /health are not served yet.")
    Integer httpPort;

    @Option(names = {"-C", "--conf"}, paramLabel = "KEY=VALUE",
            description = "Sets one setting of sidecar/OPTIONS.md, e.g. sidecar.rules.executor-threads=4. Repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        SidecarConfig config = SidecarConfig.forCommand(conf)
                .with(SidecarOptions.SOCKET_PATH, socket)
                .with(SidecarOptions.RULES_DIR, rulesDir);
        if (!Files.isDirectory(rulesDir)) {
            throw new CliException("rules directory " + rulesDir.toAbsolutePath()
                    + (Files.exists(rulesDir) ? " is not a directory" : " does not exist"), CliException.USAGE);
        }
        Path admin = adminSocketPath(config);
        prepareSocket(socket);
        prepareSocket(admin);
        if (httpPort != null) {
            LOG.warn("--http-port is reserved and not served yet; ignoring it");
        }
        RuleManagement rules = loadRules(config);
        SidecarServer server;
        try {
            rules.startAdmin(admin);
            server = SidecarServer.start(config, rules.registry(), SidecarVersion.get());
        } catch (SocketPathException e) {
            rules.close();
            throw new CliException(e.getMessage(), e.inUse() ? CliException.FAILURE : CliException.USAGE);
        } catch (IOException e) {
            rules.close();
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            rules.close();
        }, "sidecar-shutdown"));
        server.awaitTermination();
        return 0;
    }

    private Path adminSocketPath(SidecarConfig config) {
        if (adminSocket != null) {
            return adminSocket;
        }
        String configured = config.get(SidecarOptions.ADMIN_SOCKET_PATH);
        return configured.isEmpty() ? Path.of(socket + ".admin") : Path.of(configured);
    }

    private static void prepareSocket(Path socket) {
        try {
            SocketFiles.prepare(socket);
        } catch (SocketPathException e) {
            throw new CliException(e.getMessage(), e.inUse() ? CliException.FAILURE : CliException.USAGE);
        }
    }

    private static RuleManagement loadRules(SidecarConfig config) {
        try {
            return RuleManagement.start(config, Path.of(config.get(SidecarOptions.RULES_DIR)));
        } catch (IOException e) {
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
    }
}
