package dev.flinksidecar.operator.types;

import java.util.Objects;

/**
 * One result of a rule as the sidecar operator emits it: the rule version that made it, its key and
 * event time, and the finished JSON line (README, "Files"), built once in the operator so that
 * sinks only write it. Immutable.
 */
public final class ResultRecord {

    private final String rule;
    private final String version;
    private final String key;
    private final long time;
    private final String json;

    public ResultRecord(String rule, String version, String key, long time, String json) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.version = Objects.requireNonNull(version, "version");
        this.key = Objects.requireNonNull(key, "key");
        this.time = time;
        this.json = Objects.requireNonNull(json, "json");
    }

    /** The rule's id. */
    public String rule() {
        return rule;
    }

    /** The rule version that made this result. */
    public String version() {
        return version;
    }

    public String key() {
        return key;
    }

    /** The result's event time, epoch ms. */
    public long time() {
        return time;
    }

    /** The result line, without a line break. */
    public String json() {
        return json;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ResultRecord)) {
            return false;
        }
        ResultRecord that = (ResultRecord) o;
        return time == that.time
                && rule.equals(that.rule)
                && version.equals(that.version)
                && key.equals(that.key)
                && json.equals(that.json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, version, key, time, json);
    }

    @Override
    public String toString() {
        return json;
    }
}
