package dev.flinksidecar.operator;

import java.util.function.BooleanSupplier;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.io.network.partition.consumer.IndexedInputGate;

/**
 * Whether the task is behind its input right now: {@link #QUEUED_BUFFERS} network buffers or more
 * wait in its input gates (backpressured, or catching up). The {@link BatchSender} fills batches
 * while this holds. A buffer or two queue in any case when input comes in bursts (a Kafka poll, a
 * source's millisecond tick) that the task is about to take: filling batches then only adds the
 * burst's time to every event's latency, so those do not count. A task whose operators are chained
 * to a source has no input gates: never behind by this measure.
 *
 * <p>{@code isAvailable()} is a volatile read per gate, the count a walk over its channels (their
 * unsynchronized counts, as Flink's queue-length metrics read them): the count only when something
 * is queued at all.
 */
final class InputBacklog {

    /**
     * Queued buffers that make a backlog: 32 KiB each by default, about a thousand events of the
     * benchmarks' payments; more than a burst of a task that keeps up, fewer than a backpressured
     * channel holds.
     */
    static final int QUEUED_BUFFERS = 4;

    private static final BooleanSupplier NEVER = () -> false;

    private InputBacklog() {}

    /** The backlog of the task of {@code environment}. */
    static BooleanSupplier of(Environment environment) {
        IndexedInputGate[] gates;
        try {
            gates = environment.getAllInputGates();
        } catch (UnsupportedOperationException e) {
            return NEVER; // a test environment without the network stack
        }
        if (gates == null || gates.length == 0) {
            return NEVER;
        }
        return () -> {
            int queued = 0;
            for (IndexedInputGate gate : gates) {
                if (gate.isAvailable()) {
                    for (int c = 0; c < gate.getNumberOfInputChannels(); c++) {
                        queued += gate.getChannel(c).unsynchronizedGetNumberOfQueuedBuffers();
                    }
                }
            }
            return queued >= QUEUED_BUFFERS;
        };
    }
}
