package dev.flinksidecar.operator;

import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.proto.ShadowDifference;
import dev.flinksidecar.proto.ShadowReport;
import java.util.ArrayList;
import java.util.List;

/**
 * The shadow side output's lines ({@link SidecarStreams#SHADOW_DIFFERENCES}): one JSON line per
 * difference of a {@link ShadowReport}, and one for the differences the sidecar's rate limit left
 * out of it:
 *
 * <pre>
 * {"rule":"threshold","outcome":"removed","key":"card-7","time":1767225606101,"active_version":"1.0.0+3f2a9c1","candidate_version":"1.1.0+0c1d2e3","sequence":12,"active":{...result line...},"candidate":null}
 * {"rule":"threshold","outcome":"dropped","count":37,"active_version":..,"candidate_version":..,"sequence":12}
 * </pre>
 *
 * Window differences have {@code window_start} and {@code window_end} instead of {@code time}.
 * {@code active} and {@code candidate} are the two versions' result lines, {@code null} for the one
 * that gave none.
 *
 * <p>Threads: stateless; called on the client's reader thread.
 */
final class ShadowLines {

    private ShadowLines() {}

    static List<String> of(ShadowReport report) {
        List<String> lines = new ArrayList<>(report.getDifferencesCount() + 1);
        for (ShadowDifference difference : report.getDifferencesList()) {
            StringBuilder out = head(report, difference.getOutcome());
            out.append(",\"key\":");
            JsonWriter.string(out, difference.getKey());
            if (difference.hasWindow()) {
                out.append(",\"window_start\":").append(difference.getWindow().getStart());
                out.append(",\"window_end\":").append(difference.getWindow().getEnd());
            } else {
                out.append(",\"time\":").append(difference.getTime());
            }
            versions(out, report);
            out.append(",\"active\":")
                    .append(difference.getActive().isEmpty() ? "null" : difference.getActive());
            out.append(",\"candidate\":")
                    .append(
                            difference.getCandidate().isEmpty()
                                    ? "null"
                                    : difference.getCandidate());
            lines.add(out.append('}').toString());
        }
        if (report.getDropped() > 0) {
            StringBuilder out = head(report, "dropped");
            out.append(",\"count\":").append(report.getDropped());
            versions(out, report);
            lines.add(out.append('}').toString());
        }
        return lines;
    }

    private static StringBuilder head(ShadowReport report, String outcome) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"rule\":");
        JsonWriter.string(out, report.getRule());
        out.append(",\"outcome\":");
        JsonWriter.string(out, outcome);
        return out;
    }

    private static void versions(StringBuilder out, ShadowReport report) {
        out.append(",\"active_version\":");
        JsonWriter.string(out, report.getActiveVersion());
        out.append(",\"candidate_version\":");
        JsonWriter.string(out, report.getCandidateVersion());
        out.append(",\"sequence\":").append(Long.toUnsignedString(report.getSequence()));
    }
}
