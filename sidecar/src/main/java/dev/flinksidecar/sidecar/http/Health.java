package dev.flinksidecar.sidecar.http;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What {@code /health/ready} answers: ready once the rules directory's rules are loaded and the
 * data socket accepts, until shutdown begins. Quarantined rule versions do not make it unready (the
 * other rules run); the answer names them.
 *
 * <pre>
 *   start:  HTTP up (not ready) -> rules loaded -> data socket accepts (ready) -> SIGTERM (not ready)
 * </pre>
 *
 * <p>Threads: thread-safe; the serve thread and the shutdown hook set it, the HTTP thread reads it.
 */
public final class Health {

    private volatile boolean rulesLoaded;
    private volatile BooleanSupplier accepting;
    private volatile boolean stopping;
    private volatile Supplier<List<String>> quarantined = List::of;

    /** The rules directory's jars at start are loaded (or refused). */
    public void rulesLoaded() {
        rulesLoaded = true;
    }

    /** The data socket is bound; {@code accepting} tells whether it still accepts. */
    public void accepting(BooleanSupplier accepting) {
        this.accepting = accepting;
    }

    /**
     * Where the quarantined rule versions are read: the sidecar stays ready with them (the other
     * rules run), and the ready answer names them, one line each.
     */
    public void quarantined(Supplier<List<String>> quarantined) {
        this.quarantined = quarantined;
    }

    /** The lines the ready answer adds after "ready": one per quarantined rule version. */
    String notes() {
        StringBuilder notes = new StringBuilder();
        for (String line : quarantined.get()) {
            notes.append("quarantined: ").append(line).append('\n');
        }
        return notes.toString();
    }

    /** Shutdown began: not ready from now on. */
    public void stopping() {
        stopping = true;
    }

    /** Null when ready, else why not, for the 503 body. */
    String notReady() {
        if (stopping) {
            return "shutting down";
        }
        if (!rulesLoaded) {
            return "loading the rules directory";
        }
        BooleanSupplier socket = accepting;
        if (socket == null || !socket.getAsBoolean()) {
            return "the data socket does not accept sessions";
        }
        return null;
    }
}
