package dev.flinksidecar.rule;

/**
 * A per-event rule: sees each event once and emits zero or more results for it.
 *
 * <p>Implementations need a public no-argument constructor and are found through {@link
 * java.util.ServiceLoader}: list them in {@code META-INF/services/dev.flinksidecar.rule.Rule} in
 * the rule jar. A jar may hold several rules; each gets the jar's config.
 *
 * <p>Thread model: the sidecar creates one instance per session and calls its methods from one
 * thread at a time (never from the socket's I/O thread), so an instance may keep plain fields. See
 * the package documentation.
 */
public interface Rule extends AutoCloseable {

    /**
     * Called once before the first event. Read the configuration here and fail fast: an exception
     * refuses the rule with its message, and the events go to the rules that did open.
     *
     * @param context the rule's id, version and configuration
     * @throws Exception when the rule cannot run with this configuration
     */
    default void open(RuleContext context) throws Exception {}

    /**
     * Handles one event. An exception thrown here sends this event to the job's dead-letter output
     * with the exception as the reason; the rule keeps receiving the following events.
     *
     * @param event the event; valid only during this call
     * @param out where to put results; valid only during this call
     * @throws Exception when the rule cannot handle this event
     */
    void onEvent(Event event, ResultCollector out) throws Exception;

    /**
     * Called once when the session ends or the rule is retired. Release what {@link #open} took.
     */
    @Override
    default void close() throws Exception {}
}
