package dev.flinksidecar.operator;

import java.util.function.BooleanSupplier;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.io.network.partition.consumer.IndexedInputGate;

/**
 * Whether more input is queued for a task right now: a network buffer waits in one of its input
 * gates, so the task is behind its input (backpressured or catching up). The {@link BatchSender}
 * fills batches while this holds. A task whose operators are chained to a source has no input
 * gates: never behind by this measure.
 *
 * <p>{@code InputGate.isAvailable()} is one volatile read per gate: cheap enough for every event.
 */
final class InputBacklog {

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
        if (gates.length == 1) {
            IndexedInputGate gate = gates[0];
            return gate::isAvailable;
        }
        return () -> {
            for (IndexedInputGate gate : gates) {
                if (gate.isAvailable()) {
                    return true;
                }
            }
            return false;
        };
    }
}
