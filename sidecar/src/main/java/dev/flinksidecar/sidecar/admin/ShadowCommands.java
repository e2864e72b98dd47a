package dev.flinksidecar.sidecar.admin;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.PromoteRequest;
import dev.flinksidecar.proto.ShadowRequest;
import dev.flinksidecar.proto.ShadowStatus;
import dev.flinksidecar.proto.ShadowStatusRequest;
import dev.flinksidecar.proto.UnshadowRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The {@code admin} commands of shadowing a candidate version: {@code shadow JAR [--config FILE]},
 * {@code shadow-status [RULE]}, {@code promote RULE}, {@code unshadow RULE}.
 */
final class ShadowCommands {

    private ShadowCommands() {}

    /** {@code shadow JAR [--config FILE]}. */
    @Command(
            name = "shadow",
            mixinStandardHelpOptions = true,
            description =
                    "Validates a candidate version as deploy does, then runs it beside the active version of the"
                            + " same rule id in every session, from the next checkpoint barrier, comparing their"
                            + " results; the candidate's results are never emitted.")
    static final class Shadow implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "JAR", description = "The candidate's rule jar.")
        Path jar;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "The candidate's JSON config; its \"id\" names the rule shadowed.")
        Path config;

        @Override
        public Integer call() {
            ShadowRequest.Builder shadow =
                    ShadowRequest.newBuilder()
                            .setFileName(jar.getFileName().toString())
                            .setJar(ByteString.copyFrom(AdminCommand.read(jar, "rule jar")));
            if (config != null) {
                shadow.setConfig(ByteString.copyFrom(AdminCommand.read(config, "config")));
            }
            return admin.send(
                    spec,
                    AdminRequest.newBuilder().setShadow(shadow).build(),
                    AdminCommand::message);
        }
    }

    /** {@code shadow-status [RULE]}. */
    @Command(
            name = "shadow-status",
            mixinStandardHelpOptions = true,
            description =
                    "Shows per shadowed rule the candidate version, since when, the counts of agreeing, added,"
                            + " removed and changed results and skipped batches, and whether it fails, is slow or"
                            + " quarantined.")
    static final class ShadowStatusCommand implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(
                paramLabel = "RULE",
                arity = "0..1",
                description = "One rule id (default: all).")
        String rule;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder()
                            .setShadowStatus(
                                    ShadowStatusRequest.newBuilder()
                                            .setRule(rule == null ? "" : rule))
                            .build(),
                    ShadowCommands::print);
        }
    }

    /** {@code promote RULE}. */
    @Command(
            name = "promote",
            mixinStandardHelpOptions = true,
            description =
                    "Makes the rule's candidate its active version right after the next checkpoint barrier (next"
                            + " batch without checkpoints); a windowed candidate is refused, with the time left,"
                            + " until it has run for its window size plus allowed lateness.")
    static final class Promote implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "RULE", description = "The rule id.")
        String rule;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder()
                            .setPromote(PromoteRequest.newBuilder().setRule(rule))
                            .build(),
                    AdminCommand::message);
        }
    }

    /** {@code unshadow RULE}. */
    @Command(
            name = "unshadow",
            mixinStandardHelpOptions = true,
            description = "Drops the rule's candidate; the active version is untouched.")
    static final class Unshadow implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "RULE", description = "The rule id.")
        String rule;

        @Override
        public Integer call() {
            return admin.send(
                    spec,
                    AdminRequest.newBuilder()
                            .setUnshadow(UnshadowRequest.newBuilder().setRule(rule))
                            .build(),
                    AdminCommand::message);
        }
    }

    /**
     * One block per shadow, e.g. {@code threshold: candidate 1.1.0+3f2a9c1 beside 1.0.0+0c1d2e3
     * since ..., running}, then its counts.
     */
    static void print(AdminResponse response, PrintWriter out) {
        if (response.getShadowsCount() == 0) {
            out.println("no rule is shadowed");
            return;
        }
        for (ShadowStatus s : response.getShadowsList()) {
            out.println(
                    s.getRule()
                            + ": candidate "
                            + s.getCandidateVersion()
                            + " beside "
                            + s.getActiveVersion()
                            + " since "
                            + Instant.ofEpochMilli(s.getSinceMs())
                            + ", "
                            + s.getState()
                            + (s.getReason().isEmpty() ? "" : " (" + s.getReason() + ")"));
            out.println(
                    "  agree "
                            + s.getAgree()
                            + "  added "
                            + s.getAdded()
                            + "  removed "
                            + s.getRemoved()
                            + "  changed "
                            + s.getChanged()
                            + "  skipped batches "
                            + s.getSkippedBatches());
            out.println(
                    "  batches "
                            + s.getBatches()
                            + "  failures "
                            + s.getFailures()
                            + "  slow batches "
                            + s.getSlowBatches()
                            + "  sessions "
                            + s.getSessions()
                            + "  differences dropped by the rate limit "
                            + s.getDifferencesDropped()
                            + (s.getPromoteWaitMs() > 0
                                    ? "  promote in " + s.getPromoteWaitMs() + " ms of event time"
                                    : ""));
        }
    }
}
