package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.examples.threshold.ThresholdRule;
import dev.flinksidecar.operator.types.ResultRecord;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.RuleContext;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The baseline: the same threshold rule called in process by a plain {@link KeyedProcessFunction},
 * producing the same result records (JSON line included) as the sidecar operator.
 */
final class InProcessThreshold extends KeyedProcessFunction<String, EventRecord, ResultRecord> {

    private static final long serialVersionUID = 1L;

    private final double limit;
    private transient ThresholdRule rule;

    InProcessThreshold(double limit) {
        this.limit = limit;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        rule = new ThresholdRule();
        RuleConfig config =
                RuleConfig.of(Map.of("id", "threshold", "field", "amount", "limit", limit));
        rule.open(
                new RuleContext() {
                    @Override
                    public String ruleId() {
                        return "threshold";
                    }

                    @Override
                    public String version() {
                        return "1.0.0";
                    }

                    @Override
                    public RuleConfig config() {
                        return config;
                    }

                    @Override
                    public System.Logger logger() {
                        return System.getLogger("threshold");
                    }
                });
    }

    @Override
    public void processElement(EventRecord event, Context ctx, Collector<ResultRecord> out)
            throws Exception {
        rule.onEvent(
                event,
                result ->
                        out.collect(
                                new ResultRecord(
                                        "threshold",
                                        "1.0.0",
                                        result.key(),
                                        result.time(),
                                        ResultJson.toJson(
                                                "threshold",
                                                "1.0.0",
                                                result.key(),
                                                result.time(),
                                                result))));
    }
}
