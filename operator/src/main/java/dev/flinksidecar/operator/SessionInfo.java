package dev.flinksidecar.operator;

import dev.flinksidecar.proto.RuleRef;
import java.util.List;

/**
 * What the sidecar announced when the session opened.
 *
 * @param sidecarVersion the sidecar's software version
 * @param sessionId the sidecar's id for this session, for logs
 * @param rules the rules active when the session opened
 * @param maxFrameBytes the largest frame the sidecar accepts; batches stay below it
 */
public record SessionInfo(
        String sidecarVersion, String sessionId, List<RuleRef> rules, int maxFrameBytes) {}
