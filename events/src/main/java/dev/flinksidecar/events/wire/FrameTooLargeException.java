package dev.flinksidecar.events.wire;

import java.io.IOException;

/** A peer announced a frame larger than this side accepts. */
public final class FrameTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    public FrameTooLargeException(long size, int limit) {
        super("frame of " + size + " bytes exceeds the limit of " + limit + " bytes");
    }
}
