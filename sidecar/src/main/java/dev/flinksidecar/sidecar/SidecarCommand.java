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
 * The sidecar's command line with picocli: {@code serve} runs the sidecar, {@code replay} runs a
 * file through the rule engine in process, {@code admin} manages the rules of a running sidecar.
 * {@link Main} is the entry point; it runs a plain {@code serve} without this tree.
 *
 * <p>Exit codes: 0 success; 1 a failure while running (a bad rule jar in {@code replay}, another
 * sidecar on the socket, a refused {@code admin} request, I/O errors); 2 a usage error (unknown
 * flag, missing flag, a flag naming something that does not exist or cannot be written); 3 {@code
 * replay --candidate} found results that differ. Every error is one line naming the problem, on
 * stderr.
 */
@Command(
        name = "sidecar",
        mixinStandardHelpOptions = true,
        versionProvider = SidecarCommand.Version.class,
        description = "Runs Flink rule jars beside a TaskManager, over a Unix domain socket.",
        subcommands = {
            ServeCommand.class,
            ReplayCommand.class,
            AdminCommand.class,
            CommandLine.HelpCommand.class
        })
final class SidecarCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(), "missing a command: serve, replay or admin");
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new SidecarCommand());
        commandLine.setParameterExceptionHandler(SidecarCommand::usageError);
        commandLine.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (e instanceof ParameterException) {
                        return usageError((ParameterException) e, new String[0]);
                    }
                    return failed(e, cmd.getCommandSpec().qualifiedName(), cmd.getErr());
                });
        return commandLine;
    }

    /** Prints what made command {@code name} fail on {@code err} and returns the exit code. */
    static int failed(Exception e, String name, PrintWriter err) {
        if (e instanceof CliException) {
            err.println(name + ": " + e.getMessage());
            return ((CliException) e).exitCode();
        }
        err.println(name + ": unexpected failure: " + e);
        e.printStackTrace(err);
        return CliException.FAILURE;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + e.getMessage());
        cmd.getErr()
                .println(
                        "Run '"
                                + name.replaceFirst("^sidecar", "java -jar sidecar.jar")
                                + " --help' for usage.");
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
