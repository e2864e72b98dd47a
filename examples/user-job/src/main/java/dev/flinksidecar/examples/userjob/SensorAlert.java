package dev.flinksidecar.examples.userjob;

import java.util.Objects;

/**
 * What this job reports: a reading that a rule in the sidecar flagged, and which rule version did.
 * A Flink POJO.
 */
public class SensorAlert {

    public String sensorId;
    public long epochMillis;
    public double celsius;

    /** The rule's id, as its config in the sidecar names it. */
    public String rule;

    /** The rule version that flagged the reading. */
    public String ruleVersion;

    public SensorAlert() {}

    public SensorAlert(
            String sensorId, long epochMillis, double celsius, String rule, String ruleVersion) {
        this.sensorId = sensorId;
        this.epochMillis = epochMillis;
        this.celsius = celsius;
        this.rule = rule;
        this.ruleVersion = ruleVersion;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SensorAlert)) {
            return false;
        }
        SensorAlert that = (SensorAlert) o;
        return epochMillis == that.epochMillis
                && celsius == that.celsius
                && sensorId.equals(that.sensorId)
                && rule.equals(that.rule)
                && ruleVersion.equals(that.ruleVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sensorId, epochMillis, celsius, rule, ruleVersion);
    }

    @Override
    public String toString() {
        return sensorId
                + " at "
                + epochMillis
                + ": "
                + celsius
                + " °C ("
                + rule
                + " "
                + ruleVersion
                + ")";
    }
}
