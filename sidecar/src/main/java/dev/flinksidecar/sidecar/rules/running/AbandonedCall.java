package dev.flinksidecar.sidecar.rules.running;

/**
 * Thrown on a rule thread that the {@link RuleWatchdog} abandoned while it was stuck in rule code,
 * when that thread comes back into the engine: it unwinds the thread without touching anything the
 * engine shares, because another thread has finished its batch in the meantime.
 *
 * <p>An {@link Error}, so that rule code catching {@code Exception} does not swallow it; the
 * session's executor catches it at the top and lets the thread go.
 */
public final class AbandonedCall extends Error {

    private static final long serialVersionUID = 1L;

    AbandonedCall() {
        super("this rule thread was abandoned while stuck in rule code", null, false, false);
    }
}
