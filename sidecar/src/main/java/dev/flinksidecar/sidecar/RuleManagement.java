package dev.flinksidecar.sidecar;

import dev.flinksidecar.sidecar.admin.AdminLimits;
import dev.flinksidecar.sidecar.admin.AdminServer;
import dev.flinksidecar.sidecar.admin.AdminService;
import dev.flinksidecar.sidecar.deploy.ArtifactStore;
import dev.flinksidecar.sidecar.deploy.DeployOutcome;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.deploy.RulesDirectoryWatcher;
import dev.flinksidecar.sidecar.deploy.Sha256AllowList;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.loading.JarLimits;
import dev.flinksidecar.sidecar.transport.SocketAccess;
import dev.flinksidecar.sidecar.transport.SocketPathException;
import dev.flinksidecar.sidecar.transport.Transport;
import dev.flinksidecar.sidecar.unload.RetiredLoaders;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot-swap side of {@code serve}: the registry of rule versions that sessions get their rules
 * from, the rules directory watcher, the watch on retired classloaders and the admin socket, all
 * driven by one admin thread.
 *
 * <pre>
 *   admin thread ("sidecar-admin"):  admin requests, one at a time (deploys run rule code here)
 *                                    every watch-interval: look at the rules directory
 *                                    every unload-check-interval: check retired classloaders
 * </pre>
 *
 * <p>Threads: {@link #start}, {@link #startAdmin} and {@link #close} run on the serve thread or the
 * shutdown hook.
 */
final class RuleManagement implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleManagement.class);

    private final SidecarConfig config;
    private final ArtifactStore store;
    private final RetiredLoaders loaders;
    private final RuleRegistry registry;
    private final RulesDirectoryWatcher watcher;
    private final ScheduledThreadPoolExecutor adminThread;
    private AdminServer admin;

    private RuleManagement(
            SidecarConfig config,
            ArtifactStore store,
            RetiredLoaders loaders,
            RuleRegistry registry,
            RulesDirectoryWatcher watcher) {
        this.config = config;
        this.store = store;
        this.loaders = loaders;
        this.registry = registry;
        this.watcher = watcher;
        this.adminThread =
                new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("sidecar-admin", true));
    }

    /**
     * Deploys every jar of the rules directory (refusals are logged and left out), counting in
     * {@code metrics}. Runs rule code.
     */
    static RuleManagement start(SidecarConfig config, Path rulesDir, SidecarMetrics metrics)
            throws IOException {
        Sha256AllowList allowList = allowList(config);
        String storeDir = config.get(SidecarOptions.RULES_STORE_DIR);
        ArtifactStore store = ArtifactStore.open(storeDir.isEmpty() ? null : Path.of(storeDir));
        RetiredLoaders loaders =
                new RetiredLoaders(
                        config.get(SidecarOptions.RULES_UNLOAD_DEADLINE),
                        System::nanoTime,
                        System::currentTimeMillis);
        metrics.gauge(
                "sidecar.rule.loaders.awaiting.collection",
                "classloaders of unloaded versions not collected yet, "
                        + "within sidecar.rules.unload-deadline",
                null,
                loaders,
                l -> l.uncollected(false));
        metrics.gauge(
                "sidecar.rule.loaders.leaked",
                "classloaders of unloaded versions still not collected past the deadline "
                        + "(admin status says what holds them)",
                null,
                loaders,
                l -> l.uncollected(true));
        metrics.counter(
                "sidecar.rule.loaders.collected",
                "classloaders of unloaded versions the garbage collector collected",
                loaders,
                RetiredLoaders::collected);
        RuleRegistry registry =
                new RuleRegistry(
                                store,
                                loaders::retire,
                                config.get(SidecarOptions.RULES_MAX_RESTORABLE_VERSIONS),
                                System::currentTimeMillis,
                                metrics,
                                jarLimits(config),
                                allowList)
                        .validationTimeout(config.get(SidecarOptions.RULES_VALIDATION_TIMEOUT));
        registry.shadows()
                .configure(
                        config.get(SidecarOptions.SHADOW_MAX_DIFFERENCES_PER_SECOND),
                        config.get(SidecarOptions.SHADOW_QUEUE_BATCHES),
                        config.get(SidecarOptions.RULES_BATCH_BUDGET));
        RulesDirectoryWatcher watcher = new RulesDirectoryWatcher(rulesDir, registry);
        List<DeployOutcome> loaded = watcher.loadAll();
        if (loaded.stream().noneMatch(DeployOutcome::ok)) {
            LOG.warn(
                    "no rule loaded from {}: sessions will get no results until one is deployed",
                    rulesDir.toAbsolutePath());
        }
        return new RuleManagement(config, store, loaders, registry, watcher);
    }

    private static JarLimits jarLimits(SidecarConfig config) {
        return new JarLimits(
                config.get(SidecarOptions.RULES_MAX_JAR_BYTES),
                config.get(SidecarOptions.RULES_MAX_ENTRY_BYTES),
                config.get(SidecarOptions.RULES_MAX_INFLATED_BYTES),
                config.get(SidecarOptions.RULES_MAX_ENTRY_RATIO));
    }

    /** The allow-list of jar digests, read once here so that a bad file stops the start. */
    private static Sha256AllowList allowList(SidecarConfig config) {
        String file = config.get(SidecarOptions.RULES_ALLOWED_DIGESTS_FILE);
        if (file.isEmpty()) {
            return Sha256AllowList.any();
        }
        try {
            return Sha256AllowList.of(Path.of(file));
        } catch (IOException | InvalidPathException e) {
            throw new CliException(
                    SidecarOptions.RULES_ALLOWED_DIGESTS_FILE.key() + ": " + e.getMessage(),
                    CliException.USAGE);
        }
    }

    RuleRegistry registry() {
        return registry;
    }

    /**
     * Binds the admin socket and starts watching the rules directory and the retired classloaders.
     */
    void startAdmin(Path socket) throws SocketPathException, IOException {
        Transport transport = Transport.select(config.get(SidecarOptions.NATIVE_TRANSPORT));
        admin =
                AdminServer.start(
                        socket,
                        transport,
                        AdminLimits.of(config),
                        SocketAccess.adminSocket(config),
                        new AdminService(registry, loaders),
                        adminThread);
        Duration watch = config.get(SidecarOptions.RULES_WATCH_INTERVAL);
        if (!watch.isZero()) {
            schedule(watch, () -> watcher.poll());
        }
        schedule(
                config.get(SidecarOptions.RULES_UNLOAD_CHECK_INTERVAL), () -> loaders.check(false));
    }

    private void schedule(Duration every, Task task) {
        long millis = Math.max(1, every.toMillis());
        adminThread.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (Throwable e) { // an escaping throwable would cancel the schedule
                        RuleRegistry.rethrowIfFatal(e);
                        LOG.warn("rule housekeeping failed: {}", e.toString());
                    }
                },
                millis,
                millis,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Stops accepting admin requests and removes the admin socket, first thing on SIGTERM, so that
     * the socket file is gone even when draining the sessions takes long. Idempotent.
     */
    void closeAdmin() {
        if (admin != null) {
            admin.shutdown();
        }
    }

    /** Closes the admin socket, stops the admin thread, lets go of every rule version. */
    @Override
    public void close() {
        closeAdmin();
        adminThread.shutdownNow();
        try {
            adminThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registry.close();
        store.close();
    }

    @FunctionalInterface
    private interface Task {
        void run() throws Exception;
    }
}
