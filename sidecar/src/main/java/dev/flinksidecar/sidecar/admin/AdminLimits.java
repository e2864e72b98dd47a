package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import java.time.Duration;

/**
 * The bounds of the admin socket: the largest request, the connections served at once, how long a
 * connection may stay without a request and how long a frame may take to arrive.
 *
 * @param maxFrameBytes {@code sidecar.admin.max-frame-bytes}; all connections together hold at most
 *     twice this much input and a MiB (a request's frame and its decoded jar)
 * @param maxConnections {@code sidecar.admin.max-connections}
 * @param idleTimeout {@code sidecar.admin.idle-timeout}; zero: no limit
 * @param frameTimeout {@code sidecar.transport.frame-timeout}; zero: no limit
 */
public record AdminLimits(
        int maxFrameBytes, int maxConnections, Duration idleTimeout, Duration frameTimeout) {

    /** Room for the objects around a request's bytes. */
    private static final long MARGIN = 1 << 20;

    /** The limits {@code config} sets. */
    public static AdminLimits of(SidecarConfig config) {
        return new AdminLimits(
                config.get(SidecarOptions.ADMIN_MAX_FRAME_BYTES),
                config.get(SidecarOptions.ADMIN_MAX_CONNECTIONS),
                config.get(SidecarOptions.ADMIN_IDLE_TIMEOUT),
                config.get(SidecarOptions.FRAME_TIMEOUT));
    }

    /**
     * The input all admin connections may hold together: one request of the largest size, frame and
     * decoded message (a jar's bytes are held twice until the frame is released), with room for the
     * few objects around them.
     */
    long inputBytes() {
        return 2L * maxFrameBytes + MARGIN;
    }
}
