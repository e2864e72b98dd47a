package dev.flinksidecar.operator;

import dev.flinksidecar.proto.RuleRef;
import java.util.List;
import java.util.stream.Collectors;

/** Rule versions as log lines show them. */
final class RuleVersions {

    private RuleVersions() {}

    /** {@code "threshold 1.0.0+3f2a9c1, windowed-aggregate 1.1.0+0b7e215"}, or {@code "none"}. */
    static String describe(List<RuleRef> rules) {
        return rules.isEmpty()
                ? "none"
                : rules.stream()
                        .map(rule -> rule.getId() + " " + rule.getVersion())
                        .collect(Collectors.joining(", "));
    }
}
