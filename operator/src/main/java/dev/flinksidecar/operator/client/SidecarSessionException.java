package dev.flinksidecar.operator.client;

import java.io.IOException;

/**
 * The session with the sidecar broke: it sent a fatal Error, closed the socket, or spoke out of
 * turn.
 */
public final class SidecarSessionException extends IOException {

    private static final long serialVersionUID = 1L;

    public SidecarSessionException(String message) {
        super(message);
    }

    public SidecarSessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
