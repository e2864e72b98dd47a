package dev.flinksidecar.sidecar.deploy;

/**
 * What a deploy, rollback or remove did, for a person ({@link #message()}, {@link #detail()}) and
 * for programs ({@link #ok()}, {@link #code()}).
 */
public final class DeployOutcome {

    /** Validation failed; nothing changed. */
    public static final String REFUSED = "REFUSED";

    /** No rule has that id. */
    public static final String UNKNOWN_RULE = "UNKNOWN_RULE";

    /** A rollback found no earlier version. */
    public static final String NO_PREVIOUS = "NO_PREVIOUS";

    /** The checkpoint asked to activate after has already passed on this sidecar. */
    public static final String CHECKPOINT_PASSED = "CHECKPOINT_PASSED";

    private final boolean ok;
    private final String code;
    private final String ruleId;
    private final String message;
    private final String detail;

    private DeployOutcome(boolean ok, String code, String ruleId, String message, String detail) {
        this.ok = ok;
        this.code = code;
        this.ruleId = ruleId;
        this.message = message;
        this.detail = detail == null ? "" : detail;
    }

    static DeployOutcome done(String ruleId, String message) {
        return new DeployOutcome(true, "", ruleId, message, "");
    }

    static DeployOutcome failed(String code, String ruleId, String message, String detail) {
        return new DeployOutcome(false, code, ruleId, message, detail);
    }

    /** True when it did what was asked (a deploy of the version already there included). */
    public boolean ok() {
        return ok;
    }

    /**
     * Empty when {@link #ok()}, else {@link #REFUSED}, {@link #UNKNOWN_RULE}, {@link #NO_PREVIOUS}
     * or {@link #CHECKPOINT_PASSED}.
     */
    public String code() {
        return code;
    }

    /** The rule it concerns, or null when the jar was refused before its id was known. */
    public String ruleId() {
        return ruleId;
    }

    /** One line for a person. */
    public String message() {
        return message;
    }

    /** More lines (a stack trace, a self-test diff), or an empty string. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return message;
    }
}
