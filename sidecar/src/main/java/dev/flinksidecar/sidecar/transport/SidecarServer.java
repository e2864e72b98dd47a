package dev.flinksidecar.sidecar.transport;

import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.running.CrashRecord;
import dev.flinksidecar.sidecar.rules.running.Quarantines;
import dev.flinksidecar.sidecar.rules.running.RuleBudgets;
import dev.flinksidecar.sidecar.rules.running.RuleFeedSource;
import dev.flinksidecar.sidecar.rules.running.RuleWatchdog;
import dev.flinksidecar.sidecar.session.RuleThreads;
import dev.flinksidecar.sidecar.session.Sessions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's Unix domain socket server: binds the socket, runs one session per connection, and
 * shuts down gracefully.
 *
 * <p>Shutdown ({@link #shutdown()}, from the SIGTERM hook): stop accepting, let every session
 * answer the batches it has received (no new ones are read), close the sessions, stop the rule
 * threads, remove the socket file. Sessions still busy after {@code
 * sidecar.transport.shutdown-timeout} are closed anyway.
 *
 * <p>Threads: {@link #start} and {@link #shutdown} block and run on the caller's thread (never an
 * event loop); both are safe to call from any thread.
 */
public final class SidecarServer {

    private static final Logger LOG = LoggerFactory.getLogger(SidecarServer.class);

    private final Path socket;
    private final Transport transport;
    private final EventLoopGroup group;
    private final RuleThreads ruleExecutor;
    private final RuleWatchdog watchdog;
    private final CrashRecord record;
    private final Sessions sessions;
    private final Channel serverChannel;
    private final Duration shutdownTimeout;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private SidecarServer(
            Path socket,
            Transport transport,
            EventLoopGroup group,
            RuleThreads ruleExecutor,
            RuleWatchdog watchdog,
            CrashRecord record,
            Sessions sessions,
            Channel serverChannel,
            Duration shutdownTimeout) {
        this.socket = socket;
        this.transport = transport;
        this.group = group;
        this.ruleExecutor = ruleExecutor;
        this.watchdog = watchdog;
        this.record = record;
        this.sessions = sessions;
        this.serverChannel = serverChannel;
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Binds the socket of {@code config} and starts accepting sessions that get their rules from
     * {@code rules} (a fixed rule set, or the registry of deployed versions).
     *
     * @param sidecarVersion announced to clients in Welcome
     * @throws SocketPathException when the socket path cannot be used (see {@link SocketFiles})
     * @throws IOException when binding fails
     */
    public static SidecarServer start(
            SidecarConfig config, RuleFeedSource rules, String sidecarVersion)
            throws SocketPathException, IOException {
        return start(config, rules, sidecarVersion, SidecarMetrics.disabled());
    }

    /**
     * As {@link #start(SidecarConfig, RuleFeedSource, String)}, sessions counting in {@code
     * metrics}.
     */
    public static SidecarServer start(
            SidecarConfig config,
            RuleFeedSource rules,
            String sidecarVersion,
            SidecarMetrics metrics)
            throws SocketPathException, IOException {
        Path socket = Path.of(config.get(SidecarOptions.SOCKET_PATH)).toAbsolutePath();
        SocketFiles.prepare(socket);
        SocketAccess access = SocketAccess.dataSocket(config);
        Transport transport = Transport.select(config.get(SidecarOptions.NATIVE_TRANSPORT));
        int maxFrameBytes = config.get(SidecarOptions.MAX_FRAME_BYTES);
        RuleThreads ruleExecutor =
                new RuleThreads(
                        config.get(SidecarOptions.RULE_EXECUTOR_THREADS),
                        new DefaultThreadFactory("sidecar-rules", true),
                        config.get(SidecarOptions.RULES_ABANDONED_GRACE),
                        SidecarServer::restartItself);
        Quarantines quarantines =
                rules.quarantines() != null ? rules.quarantines() : new Quarantines();
        CrashRecord record = openCrashRecord(config, socket, quarantines);
        RuleWatchdog watchdog =
                new RuleWatchdog(
                        config.get(SidecarOptions.RULES_BATCH_BUDGET), RuleBudgets::of, record);
        watchdog.everyTick(ruleExecutor::check);
        int maxConnections = config.get(SidecarOptions.MAX_CONNECTIONS);
        Sessions sessions =
                new Sessions(
                        rules,
                        ruleExecutor,
                        maxFrameBytes,
                        config.get(SidecarOptions.MAX_PENDING_BATCHES),
                        config.get(SidecarOptions.MAX_PENDING_BYTES),
                        maxConnections,
                        config.get(SidecarOptions.HELLO_TIMEOUT),
                        sidecarVersion,
                        metrics);
        sessions.guardedBy(quarantines, watchdog);
        InputBudget budget =
                new InputBudget(
                        config.get(SidecarOptions.MAX_INPUT_BYTES),
                        SidecarOptions.MAX_INPUT_BYTES.key());
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(
                        config.get(SidecarOptions.IO_THREADS),
                        new DefaultThreadFactory("sidecar-io", true),
                        transport.ioHandlerFactory());
        FileDescriptors.warnIfTooFew(maxConnections); // before the socket accepts: logged first
        Channel serverChannel;
        try {
            serverChannel =
                    PrivateSocketBind.bind(
                            new ServerBootstrap()
                                    .group(group)
                                    .channel(transport.serverChannel())
                                    .handler(new AcceptBackoff(socket.toString()))
                                    .childHandler(
                                            PeerCheck.before(
                                                    new SidecarChannelInitializer(
                                                            maxFrameBytes,
                                                            sessions::newSession,
                                                            budget,
                                                            config.get(
                                                                    SidecarOptions.FRAME_TIMEOUT)),
                                                    socket,
                                                    new KernelPeerCredentials(),
                                                    access.allowList(),
                                                    ServerRefusal::of)),
                            transport,
                            socket,
                            access.permissions());
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            ruleExecutor.shutdownNow();
            watchdog.close();
            closeCrashRecord(record);
            throw new IOException("cannot listen on socket " + socket + ": " + e.getMessage(), e);
        }
        LOG.info(
                "accepting sessions on {} ({} transport, {}; lets in {}), rules: {}",
                socket,
                transport.name(),
                access.permissions(),
                access.allowList(),
                rules);
        return new SidecarServer(
                socket,
                transport,
                group,
                ruleExecutor,
                watchdog,
                record,
                sessions,
                serverChannel,
                config.get(SidecarOptions.SHUTDOWN_TIMEOUT));
    }

    /** The absolute path of the socket. */
    public Path socketPath() {
        return socket;
    }

    /** {@code epoll} or {@code nio}. */
    public String transportName() {
        return transport.name();
    }

    /** True until shutdown has closed the listening socket. */
    public boolean isAccepting() {
        return serverChannel.isOpen();
    }

    /** The live sessions. */
    public Sessions sessions() {
        return sessions;
    }

    /** Stops gracefully (see the class comment); returns when stopped. Idempotent. */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        try {
            serverChannel.close().awaitUninterruptibly();
            LOG.info(
                    "stopped accepting on {}; answering the batches in flight of {} sessions",
                    socket,
                    sessions.liveCount());
            sessions.drainAll()
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.warn("sessions still busy after {}; closing them", shutdownTimeout);
        } catch (ExecutionException e) {
            LOG.warn("a session failed while closing", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            ruleExecutor.shutdown();
            awaitRuleThreads(deadline);
            watchdog.close();
            closeCrashRecord(record);
            SocketFiles.remove(socket);
            LOG.info("stopped; removed {}", socket);
            terminated.complete(null);
        }
    }

    /**
     * Opens the crash record and quarantines the versions a sidecar that died left in it; null
     * (nothing recorded) when it cannot be opened.
     */
    private static CrashRecord openCrashRecord(
            SidecarConfig config, Path socket, Quarantines quarantines) {
        String configured = config.get(SidecarOptions.RULES_CRASH_RECORD);
        Path file =
                configured.isEmpty()
                        ? Path.of(socket.toString().concat(".running"))
                        : Path.of(configured);
        try {
            CrashRecord record = CrashRecord.open(file);
            for (CrashRecord.Suspect suspect : record.takeSuspects()) {
                LOG.warn(
                        "the sidecar died while rule {} {} ran ({}): it is quarantined",
                        suspect.id(),
                        suspect.version(),
                        suspect.call());
                quarantines.add(
                        suspect.id(),
                        suspect.version(),
                        "running when the sidecar died (" + suspect.call() + ")");
            }
            return record;
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "cannot use the crash record {} ({}); a rule that kills the sidecar is not"
                            + " quarantined after the restart",
                    file,
                    e.toString());
            return null;
        }
    }

    private static void closeCrashRecord(CrashRecord record) {
        if (record != null) {
            record.closeAndRemove();
        }
    }

    /** Exit code of a sidecar that restarts itself: its supervisor starts it again. */
    public static final int RESTART_EXIT_CODE = 75;

    /**
     * Stops cleanly (the shutdown hook drains the sessions and removes the sockets) and exits with
     * {@link #RESTART_EXIT_CODE}, for a rule thread that cannot be stopped from inside the JVM.
     */
    private static void restartItself() {
        Thread exit = new Thread(() -> System.exit(RESTART_EXIT_CODE), "sidecar-restart");
        exit.start();
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void awaitRuleThreads(long deadline) {
        try {
            long wait = Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime());
            if (!ruleExecutor.awaitTermination(wait, TimeUnit.NANOSECONDS)) {
                LOG.warn("rule threads still busy; stopping without them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
