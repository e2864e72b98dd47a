package dev.flinksidecar.rule;

/** Where a rule puts its results. Valid only during the call that hands it over. */
public interface ResultCollector {

    /**
     * Emits one result. Results leave the sidecar in the order of the events that made them, and
     * for one event in the order of the calls to this method. The sidecar stamps each result with
     * the rule's id and version.
     */
    void emit(Result result);
}
