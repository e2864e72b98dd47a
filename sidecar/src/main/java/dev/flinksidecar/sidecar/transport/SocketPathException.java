package dev.flinksidecar.sidecar.transport;

/** The socket path cannot be used; the message names the path and the problem, for a person. */
public final class SocketPathException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean inUse;

    SocketPathException(String message, boolean inUse) {
        super(message);
        this.inUse = inUse;
    }

    /**
     * True when another process accepts on the path (as opposed to a path that cannot be a socket).
     */
    public boolean inUse() {
        return inUse;
    }
}
