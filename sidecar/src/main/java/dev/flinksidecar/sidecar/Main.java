package dev.flinksidecar.sidecar;

import dev.flinksidecar.sidecar.footprint.CdsTraining;
import dev.flinksidecar.sidecar.logging.SidecarLogging;
import java.io.PrintWriter;

/**
 * The entry point of {@code java -jar sidecar.jar}: commands {@code serve}, {@code replay} and
 * {@code admin} ({@link SidecarCommand}, exit codes there).
 *
 * <p>A plain {@code serve} (its options, each once, valid values: {@link ServeCommand#plain}) runs
 * without building picocli's command tree, which costs a cold JVM about 200 ms of the sidecar's
 * start (BENCHMARKS.md, StartupFootprint); everything else, help and usage errors included, goes
 * through picocli.
 *
 * <p>{@code java -jar sidecar.jar --cds-training}, alone, is the build's training run of the class
 * data sharing archive ({@link CdsTraining}); it is not a command for users. The training serves
 * through {@link #run(String...)}, handed to it, so the dependency goes one way: this class knows
 * the training, the training does not know this class. A plain start never loads the training's
 * classes (the argument is a compile-time constant, the call is linked when made).
 */
public final class Main {

    private static final String SELECTOR_PROVIDER_PROPERTY =
            "java.nio.channels.spi.SelectorProvider";
    private static final String LINUX_SELECTOR_PROVIDER = "sun.nio.ch.EPollSelectorProvider";

    private Main() {}

    public static void main(String[] args) {
        nameSelectorProvider();
        if (args.length == 1 && args[0].equals(CdsTraining.ARGUMENT)) {
            CdsTraining.trainAndExit(Main::run);
            return;
        }
        SidecarLogging.install();
        System.exit(run(args));
    }

    /**
     * Names the JDK's own NIO selector provider for Linux in its system property (unless set, or on
     * another system), so that the JDK does not search for one: that search reads the services
     * files of every jar on the class path, and Netty starts it (its epoll classes open a {@code
     * Selector} as they initialise). Opening and indexing the 5,000 entries of the sidecar jar for
     * it cost about 10 ms of the start (BENCHMARKS.md, StartupFootprint). The JDK makes this same
     * provider on Linux when nothing names one.
     */
    private static void nameSelectorProvider() {
        if (System.getProperty(SELECTOR_PROVIDER_PROPERTY) != null) {
            return;
        }
        try {
            Class.forName(LINUX_SELECTOR_PROVIDER, false, null);
            System.setProperty(SELECTOR_PROVIDER_PROPERTY, LINUX_SELECTOR_PROVIDER);
        } catch (ClassNotFoundException notLinux) {
            // the JDK's own choice
        }
    }

    /** Runs the command line {@code args} and returns the exit code; does not exit. */
    public static int run(String... args) {
        ServeCommand serve = ServeCommand.plain(args);
        return serve != null
                ? serve(serve, new PrintWriter(System.err, true))
                : SidecarCommand.commandLine().execute(args);
    }

    /** As {@link #run(String...)}, printing to {@code out} and {@code err}. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        ServeCommand serve = ServeCommand.plain(args);
        return serve != null
                ? serve(serve, err)
                : SidecarCommand.commandLine().setOut(out).setErr(err).execute(args);
    }

    private static int serve(ServeCommand serve, PrintWriter err) {
        try {
            return serve.call();
        } catch (Exception e) {
            return SidecarCommand.failed(e, "sidecar serve", err);
        }
    }
}
