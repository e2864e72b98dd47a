package dev.flinksidecar.operator;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.operator.types.ResultRecord;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates {@link SidecarOperator}s with the task's mailbox executor, which the operator needs to
 * receive replies and to yield under backpressure. Serialized into the job graph.
 */
public final class SidecarOperatorFactory extends AbstractStreamOperatorFactory<ResultRecord>
        implements OneInputStreamOperatorFactory<EventRecord, ResultRecord> {

    private static final long serialVersionUID = 1L;

    private final SidecarOperatorOptions options;
    private final SidecarRunnerFactory runnerFactory;

    public SidecarOperatorFactory(
            SidecarOperatorOptions options, SidecarRunnerFactory runnerFactory) {
        this.options = options;
        this.runnerFactory = runnerFactory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<ResultRecord>> T createStreamOperator(
            StreamOperatorParameters<ResultRecord> parameters) {
        return (T) new SidecarOperator(parameters, options, runnerFactory);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return SidecarOperator.class;
    }
}
