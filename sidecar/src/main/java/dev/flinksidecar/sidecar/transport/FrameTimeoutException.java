package dev.flinksidecar.sidecar.transport;

/**
 * A frame was begun and not completed within {@code sidecar.transport.frame-timeout}: its sender
 * went quiet mid-frame or sends too slowly. Fired by {@link FrameDecoder} into the pipeline.
 */
public final class FrameTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FrameTimeoutException(String message) {
        super(message, null, false, false);
    }
}
