package dev.flinksidecar.sidecar;

import dev.flinksidecar.sidecar.admin.AdminCommand;
import dev.flinksidecar.sidecar.replay.ReplayCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The sidecar's command line: {@code serve} runs the sidecar, {@code replay} runs a file through
 * the rule engine in process, {@code admin} manages the rules of a running sidecar.
 *
 * <p>Exit codes: 0 success; 1 a failure while running (a bad rule jar in {@code replay}, another
 * sidecar on the socket, a refused {@code admin} request, I/O errors); 2 a usage error (unknown flag, missing flag, a flag naming
 * something that does not exist or cannot be written). Every error is one line naming the
 * problem, on stderr.
 */
@Command(
        name = "sidecar",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs Flink rule jars beside a TaskManager, over a Unix domain socket.",
        subcommands = {ServeCommand.class, ReplayCommand.class, AdminCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command: serve, replay or admin");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line {@code args} and returns the exit code; does not exit. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** As {@link #run(String...)}, printing to {@code out} and {@code err}. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine().setOut(out).setErr(err).execute(args);
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ParameterException) {
                return usageError((ParameterException) e, new String[0]);
            }
            PrintWriter err = cmd.getErr();
            if (e instanceof CliException) {
                err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return ((CliException) e).exitCode();
            }
            err.println(cmd.getCommandSpec().qualifiedName() + ": unexpected failure: " + e);
            e.printStackTrace(err);
            return CliException.FAILURE;
        });
        return commandLine;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + e.getMessage());
        cmd.getErr().println("Run '" + name.replaceFirst("^sidecar", "java -jar sidecar.jar") + " --help' for usage.");
        return CliException.USAGE;
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"flink-sidecar " + SidecarVersion.get()};
        }
    }
}
