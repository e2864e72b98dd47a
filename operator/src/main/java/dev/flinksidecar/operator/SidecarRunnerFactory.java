package dev.flinksidecar.operator;

import java.io.Serializable;

/**
 * Makes the runner of one operator instance. Shipped with the job graph, so it must be
 * serializable; {@link #create} runs on the task thread in {@code open()}.
 */
@FunctionalInterface
public interface SidecarRunnerFactory extends Serializable {

    SidecarRunner create(SidecarOperatorOptions options);

    /** The production runner: a session with the sidecar over its Unix domain socket. */
    static SidecarRunnerFactory socket() {
        return SocketSidecarRunner::new;
    }
}
