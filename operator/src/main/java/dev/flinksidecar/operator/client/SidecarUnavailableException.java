package dev.flinksidecar.operator.client;

import java.io.IOException;

/** No sidecar accepted a connection on the socket path before the deadline. */
public final class SidecarUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    public SidecarUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
