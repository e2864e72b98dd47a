package dev.flinksidecar.sidecar.window;

/**
 * Brackets a write to what a session's engine shares (a result, a changed key) made on behalf of a
 * rule, so that a rule thread the engine has abandoned can no longer make one: {@link #begin}
 * throws on such a thread. {@link #NONE} guards nothing ({@code replay}, tests).
 */
public interface GuardedWrites {

    GuardedWrites NONE =
            new GuardedWrites() {
                @Override
                public void begin() {}

                @Override
                public void end() {}
            };

    /** About to write; throws when the calling thread may no longer write. */
    void begin();

    /** The write begun is done. */
    void end();
}
