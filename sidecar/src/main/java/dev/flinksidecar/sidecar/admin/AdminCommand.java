package dev.flinksidecar.sidecar.admin;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.DeployRequest;
import dev.flinksidecar.proto.ListRequest;
import dev.flinksidecar.proto.RemoveRequest;
import dev.flinksidecar.proto.RollbackRequest;
import dev.flinksidecar.proto.StatusRequest;
import dev.flinksidecar.sidecar.CliException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code admin --socket ADMIN_PATH deploy JAR [--config FILE] | list | status | rollback RULE |
 * remove RULE | shadow JAR [--config FILE] | shadow-status [RULE] | promote RULE | unshadow RULE}
 * (the shadow commands: {@link ShadowCommands}): manages the rules of a running sidecar over its
 * admin socket. {@code deploy}, {@code rollback} and {@code remove} take {@code --at-checkpoint N}
 * to align several sidecars.
 *
 * <p>Exit codes: 0 done; 1 refused or failed, with the reason on stderr (and, for a refused jar,
 * the stack trace or self-test diff after it); 2 a usage error.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Manages the rules of a running sidecar over its admin socket.",
        subcommands = {
            AdminCommand.Deploy.class,
            AdminCommand.ListRules.class,
            AdminCommand.Status.class,
            AdminCommand.Rollback.class,
            AdminCommand.Remove.class,
            ShadowCommands.Shadow.class,
            ShadowCommands.ShadowStatusCommand.class,
            ShadowCommands.Promote.class,
            ShadowCommands.Unshadow.class
        })
public final class AdminCommand implements Callable<Integer> {

    private static final String AT_CHECKPOINT =
            "Switch every session right after the first checkpoint barrier with an id >= N "
                    + "(per-event rules too), instead of the default; N must be above the last barrier the sidecar has seen. "
                    + "Use the same N on every sidecar of a job so that all subtasks switch at the same checkpoint.";

    @Spec CommandSpec spec;

    @Option(
            names = "--socket",
            required = true,
            paramLabel = "ADMIN_PATH",
            description =
                    "The sidecar's admin socket (serve's --admin-socket; default: its --socket path + .admin).")
    Path socket;

    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(),
                "missing an admin command: deploy, list, status, rollback, remove, shadow,"
                        + " shadow-status, promote or unshadow");
    }

    /**
     * Sends {@code request}; prints the answer with {@code print} when ok, else the reason on
     * stderr.
     */
    int send(
            CommandSpec command,
            AdminRequest request,
            BiConsumer<AdminResponse, PrintWriter> print) {
        AdminResponse response;
        try {
            response = AdminClient.call(socket, request);
        } catch (AdminClient.RequestNotTaken e) {
            throw new CliException(
                    e.getMessage()
                            + "; a request over the sidecar's sidecar.admin.max-frame-bytes ends that way, "
                            + "raise it with serve --conf sidecar.admin.max-frame-bytes=BYTES",
                    CliException.FAILURE);
        } catch (IOException e) {
            throw new CliException(
                    "cannot reach the sidecar's admin socket "
                            + socket.toAbsolutePath()
                            + ": "
                            + e.getMessage()
                            + " (is 'serve' running with this admin socket?)",
                    CliException.FAILURE);
        }
        if (!response.getOk()) {
            PrintWriter err = command.commandLine().getErr();
            err.println(command.qualifiedName() + ": " + reason(request, response));
            if (!response.getDetail().isEmpty()) {
                err.print(
                        response.getDetail().endsWith("\n")
                                ? response.getDetail()
                                : response.getDetail() + "\n");
            }
            err.flush();
            return CliException.FAILURE;
        }
        PrintWriter out = command.commandLine().getOut();
        print.accept(response, out);
        out.flush();
        return 0;
    }

    /** The refusal as a person reads it: a request over the frame limit says what was too large. */
    private static String reason(AdminRequest request, AdminResponse response) {
        if (!response.getCode().equals(AdminHandler.FRAME_TOO_LARGE)) {
            return response.getMessage();
        }
        String what =
                request.hasDeploy()
                        ? "rule jar "
                                + request.getDeploy().getFileName()
                                + " is too large to deploy"
                        : "the request is too large";
        return what
                + ": "
                + response.getMessage()
                + "; raise the limit with serve --conf sidecar.admin.max-frame-bytes=BYTES";
    }

    static void message(AdminResponse response, PrintWriter out) {
        out.println(response.getMessage());
    }

    static byte[] read(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new CliException(
                    what
                            + " "
                            + file.toAbsolutePath()
                            + (Files.exists(file) ? " is not a file" : " does not exist"),
                    CliException.USAGE);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException(
                    "cannot read " + what + " " + file.toAbsolutePath() + ": " + e,
                    CliException.FAILURE);
        }
    }

    /** {@code deploy JAR [--config FILE]}. */
    @Command(
            name = "deploy",
            mixinStandardHelpOptions = true,
            description =
                    "Validates a rule jar and makes it active (per-event rules: at each session's next batch) "
                            + "or staged (windowed rules: active right after the next checkpoint barrier).")
    static final class Deploy implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(
                paramLabel = "JAR",
                description =
                        "The rule jar. Its base name is the rule id unless the config has an \"id\".")
        Path jar;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "The rule's JSON config (what NAME.json would hold).")
        Path config;

        @Option(names = "--at-checkpoint", paramLabel = "N", description = AT_CHECKPOINT)
        long atCheckpoint;

        @Override
        public Integer call() {
            DeployRequest.Builder deploy =
                    DeployRequest.newBuilder()
                            .setActivateAfterCheckpoint(atCheckpoint)
                            .setFileName(jar.getFileName().toString())
                            .setJar(ByteString.copyFrom(read(jar, "rule jar")));
            if (config != null) {
                deploy.setConfig(ByteString.copyFrom(read(config, "config")));
            }
            return admin.send(
                    spec,
                    AdminRequest.newBuilder().setDeploy(deploy).build(),
                    AdminCommand::message);
        }
    }

    /** {@code list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists the rules: active, staged and previous versions.")
    static final class ListRules implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder().setList(ListRequest.getDefaultInstance()).build(),
                    AdminPrinter::list);
        }
    }

    /** {@code status [--gc]}. */
    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description =
                    "Shows each rule's versions with when they were activated and the events they handled, "
                            + "retired classloaders (and leaks), recent refusals and the JVM's numbers.")
    static final class Status implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Option(
                names = "--gc",
                description =
                        "Run a full garbage collection first, so the numbers show what is really held.")
        boolean gc;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder()
                            .setStatus(StatusRequest.newBuilder().setGc(gc))
                            .build(),
                    AdminPrinter::status);
        }
    }

    /** {@code rollback RULE}. */
    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description =
                    "Makes the previous version of a rule active again (validated and activated as a deploy).")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "RULE", description = "The rule id.")
        String rule;

        @Option(names = "--at-checkpoint", paramLabel = "N", description = AT_CHECKPOINT)
        long atCheckpoint;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder()
                            .setRollback(
                                    RollbackRequest.newBuilder()
                                            .setRule(rule)
                                            .setActivateAfterCheckpoint(atCheckpoint))
                            .build(),
                    AdminCommand::message);
        }
    }

    /** {@code remove RULE}. */
    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description =
                    "Removes a rule (windowed rules: right after the next checkpoint barrier; their open windows finish).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "RULE", description = "The rule id.")
        String rule;

        @Option(names = "--at-checkpoint", paramLabel = "N", description = AT_CHECKPOINT)
        long atCheckpoint;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder()
                            .setRemove(
                                    RemoveRequest.newBuilder()
                                            .setRule(rule)
                                            .setActivateAfterCheckpoint(atCheckpoint))
                            .build(),
                    AdminCommand::message);
        }
    }
}
