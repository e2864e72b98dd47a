package dev.flinksidecar.sidecar.state;

import java.io.IOException;

/**
 * A key's state that this sidecar cannot read: an unknown format version, truncated or corrupt
 * bytes.
 */
public final class StateFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }
}
