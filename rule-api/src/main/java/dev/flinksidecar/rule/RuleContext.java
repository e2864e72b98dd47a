package dev.flinksidecar.rule;

/** What the sidecar tells a rule when it opens it. */
public interface RuleContext {

    /**
     * The rule's id as results name it: the config's {@code "id"}, by default the jar's base name.
     */
    String ruleId();

    /** The version that results of this rule carry. */
    String version();

    /** The rule's JSON configuration (an empty object when the jar has none). */
    RuleConfig config();

    /**
     * A logger for lifecycle messages; its output goes to the sidecar's log with the rule's id. Do
     * not log per event: that is on the hot path of every event of the job.
     */
    System.Logger logger();
}
