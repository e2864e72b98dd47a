package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.JvmStatus;
import dev.flinksidecar.proto.LeakedLoader;
import dev.flinksidecar.proto.LoaderStatus;
import dev.flinksidecar.proto.QuarantinedVersion;
import dev.flinksidecar.proto.RefusedDeploy;
import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.proto.VersionStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code admin list} and {@code admin status} output, for a person. */
final class AdminPrinter {

    private AdminPrinter() {}

    /** One line per rule under a header, columns aligned. */
    static void list(AdminResponse response, PrintWriter out) {
        if (response.getRulesCount() == 0) {
            out.println("no rule is deployed");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RULE", "KIND", "ACTIVE", "STAGED", "PREVIOUS", "EVENTS"});
        for (RuleStatus rule : response.getRulesList()) {
            rows.add(
                    new String[] {
                        rule.getId(),
                        rule.getKind(),
                        rule.hasActive() ? rule.getActive().getVersion() : "-",
                        rule.getRemoving()
                                ? "(removal)"
                                : rule.hasStaged()
                                        ? rule.getStaged().getVersion()
                                                + " (after checkpoint "
                                                + rule.getStaged().getActivatesAfterCheckpoint()
                                                + ")"
                                        : "-",
                        rule.hasPrevious() ? rule.getPrevious().getVersion() : "-",
                        Long.toString(rule.getActive().getEventsHandled())
                    });
        }
        table(rows, out);
    }

    /** Each rule with its versions, then classloaders, refusals and the JVM. */
    static void status(AdminResponse response, PrintWriter out) {
        if (response.getRulesCount() == 0) {
            out.println("no rule is deployed");
        }
        for (RuleStatus rule : response.getRulesList()) {
            out.println(rule.getId() + " (" + rule.getKind() + ", from " + rule.getSource() + ")");
            if (rule.hasActive()) {
                out.println(
                        "  active    "
                                + version(rule.getActive())
                                + "  activated "
                                + time(rule.getActive().getActivatedAtMs())
                                + "  events "
                                + rule.getActive().getEventsHandled()
                                + "  sessions "
                                + rule.getActive().getSessions());
            }
            if (rule.getRemoving()) {
                out.println(
                        "  staged    removal: every session drops the rule right after the next checkpoint barrier");
            } else if (rule.hasStaged()) {
                out.println(
                        "  staged    "
                                + version(rule.getStaged())
                                + "  deployed "
                                + time(rule.getStaged().getDeployedAtMs())
                                + "  activates right after checkpoint barrier "
                                + rule.getStaged().getActivatesAfterCheckpoint());
            }
            if (rule.hasPrevious()) {
                VersionStatus previous = rule.getPrevious();
                out.println(
                        "  previous  "
                                + version(previous)
                                + "  activated "
                                + time(previous.getActivatedAtMs())
                                + "  retired "
                                + time(previous.getRetiredAtMs())
                                + "  events "
                                + previous.getEventsHandled()
                                + (previous.getSessions() > 0
                                        ? "  sessions "
                                                + previous.getSessions()
                                                + " (finishing windows)"
                                        : ""));
            }
        }
        if (response.getQuarantinedCount() > 0) {
            out.println(
                    "quarantined (their events go to the dead letters; deploy or roll back to lift):");
            for (QuarantinedVersion q : response.getQuarantinedList()) {
                out.println(
                        "  "
                                + q.getRule()
                                + " "
                                + q.getVersion()
                                + "  since "
                                + time(q.getSinceMs())
                                + ": "
                                + q.getReason());
            }
        }
        loaders(response.getLoaders(), out);
        if (response.getRefusalsCount() > 0) {
            out.println("refused recently:");
            for (RefusedDeploy refusal : response.getRefusalsList()) {
                out.println(
                        "  "
                                + time(refusal.getAtMs())
                                + "  "
                                + refusal.getSource()
                                + ": "
                                + refusal.getMessage());
            }
        }
        JvmStatus jvm = response.getJvm();
        out.println(
                "jvm: heap "
                        + mib(jvm.getHeapUsedBytes())
                        + ", metaspace "
                        + mib(jvm.getMetaspaceUsedBytes())
                        + ", "
                        + jvm.getLiveThreads()
                        + " threads, "
                        + jvm.getLoadedClasses()
                        + " classes loaded ("
                        + jvm.getUnloadedClasses()
                        + " unloaded), "
                        + jvm.getSessions()
                        + " sessions, last checkpoint barrier "
                        + jvm.getLastCheckpointBarrier()
                        + ", last completed checkpoint "
                        + jvm.getLastCompletedCheckpoint());
    }

    private static void loaders(LoaderStatus loaders, PrintWriter out) {
        out.println(
                "retired rule classloaders: "
                        + loaders.getCollected()
                        + " collected, "
                        + loaders.getWaiting()
                        + " waiting to be collected, "
                        + loaders.getLeakedCount()
                        + " leaked");
        for (LeakedLoader leaked : loaders.getLeakedList()) {
            out.println(
                    "  LEAKED "
                            + leaked.getName()
                            + " (retired "
                            + time(leaked.getRetiredAtMs())
                            + "), "
                            + (leaked.getHoldersCount() == 0
                                    ? "no holder found (take a heap dump)"
                                    : "held by:"));
            leaked.getHoldersList().forEach(holder -> out.println("    " + holder));
        }
    }

    private static String version(VersionStatus version) {
        return version.getVersion();
    }

    private static String time(long epochMs) {
        return epochMs == 0 ? "-" : Instant.ofEpochMilli(epochMs).toString();
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static void table(List<String[]> rows, PrintWriter out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(
                        i == row.length - 1
                                ? row[i]
                                : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
