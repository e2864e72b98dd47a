package dev.flinksidecar.sidecar.footprint;

import dev.flinksidecar.rule.Event;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.ResultCollector;
import dev.flinksidecar.rule.Rule;

/**
 * The rule of {@link CdsTraining}'s rules folder: one result per event, so that the training run
 * goes through deploying a rule jar and answering with results, as a production start does. The
 * training copies this class into a jar of its own; it never runs from the sidecar's class path.
 */
public final class TrainingRule implements Rule {

    @Override
    public void onEvent(Event event, ResultCollector out) {
        out.emit(Result.of(event).set("seen", true));
    }
}
