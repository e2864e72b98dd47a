package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.proto.RefusedDeploy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The most recent refused deploys, for {@code admin status}. Guarded by its own monitor, held by
 * the registry.
 */
final class Refusals {

    private static final int KEPT = 10;

    private final Deque<RefusedDeploy> recent = new ArrayDeque<>();

    void add(String source, String message, long atMs) {
        recent.addLast(
                RefusedDeploy.newBuilder()
                        .setSource(source)
                        .setMessage(message)
                        .setAtMs(atMs)
                        .build());
        while (recent.size() > KEPT) {
            recent.removeFirst();
        }
    }

    /** Newest last. */
    List<RefusedDeploy> list() {
        return List.copyOf(recent);
    }
}
