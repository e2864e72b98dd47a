package dev.flinksidecar.sidecar;

import dev.flinksidecar.sidecar.rules.RuleLoadException;
import dev.flinksidecar.sidecar.rules.RuleSet;
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
 * {@code serve}: loads the rule jars, binds the socket, serves sessions until SIGTERM, then
 * answers what is in flight, removes the socket and exits. A refused rule jar is logged and left
 * out; the other rules run.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Runs the sidecar: accepts sessions from the Flink job on a Unix domain socket and runs "
                + "the rule jars of a directory. Stops on SIGTERM after answering the batches in flight.")
public final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--socket", required = true, paramLabel = "PATH",
            description = "Unix domain socket to accept sessions on. A stale socket file is replaced.")
    Path socket;

    @Option(names = "--rules-dir", required = true, paramLabel = "DIR",
            description = "Folder of rule jars (NAME.jar, optional config NAME.json).")
    Path rulesDir;

    @Option(names = "--admin-socket", paramLabel = "PATH",
            description = "Reserved: the admin socket (default PATH.admin) is not served yet.")
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
        prepareSocket(socket);
        if (adminSocket != null || httpPort != null) {
            LOG.warn("--admin-socket and --http-port are reserved and not served yet; ignoring them");
        }
        RuleSet rules = loadRules(rulesDir);
        SidecarServer server;
        try {
            server = SidecarServer.start(config, rules, SidecarVersion.get());
        } catch (SocketPathException e) {
            closeQuietly(rules);
            throw new CliException(e.getMessage(), e.inUse() ? CliException.FAILURE : CliException.USAGE);
        } catch (IOException e) {
            closeQuietly(rules);
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            closeQuietly(rules);
        }, "sidecar-shutdown"));
        server.awaitTermination();
        return 0;
    }

    private static void prepareSocket(Path socket) {
        try {
            SocketFiles.prepare(socket);
        } catch (SocketPathException e) {
            throw new CliException(e.getMessage(), e.inUse() ? CliException.FAILURE : CliException.USAGE);
        }
    }

    private static RuleSet loadRules(Path dir) {
        RuleSet rules;
        try {
            rules = RuleSet.load(dir);
        } catch (IOException e) {
            throw new CliException(e.getMessage(), CliException.FAILURE);
        }
        for (RuleLoadException refusal : rules.refusals()) {
            LOG.warn("refused: {}", refusal.getMessage());
        }
        if (rules.rules().isEmpty()) {
            LOG.warn("no rule loaded from {}: sessions will get no results", dir.toAbsolutePath());
        }
        return rules;
    }

    private static void closeQuietly(RuleSet rules) {
        try {
            rules.close();
        } catch (IOException e) {
            LOG.warn("closing the rule jars failed: {}", e.toString());
        }
    }
}
