package dev.flinksidecar.operator.client;

import java.io.IOException;

/** The sidecar answered the handshake with a Refusal; the message is its reason. */
public final class SidecarRefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    public SidecarRefusedException(String message) {
        super(message);
    }
}
