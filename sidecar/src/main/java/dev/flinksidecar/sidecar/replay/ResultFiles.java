package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.events.DeadLetters;
import dev.flinksidecar.events.LateEvents;
import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.io.Writer;

/**
 * The plain {@code replay}: each batch through one {@link RuleEngine}, its answer to the {@link
 * ReplayOutputs}. Outputs keep input order: results in event order (window firings right after the
 * event whose watermark fired them); dead letters (malformed lines and rule failures) and late
 * events in the order of the input lines they come from. Runs on the replay's thread.
 */
final class ResultFiles implements ReplayTarget {

    private final RuleEngine engine;
    private final ReplayOutputs outputs;
    private final ReplaySummary summary;

    /**
     * @param summary where the results, rule failures and late events are counted
     */
    ResultFiles(RuleEngine engine, ReplayOutputs outputs, ReplaySummary summary) {
        this.engine = engine;
        this.outputs = outputs;
        this.summary = summary;
    }

    @Override
    public void batch(EventBatch events) throws IOException {
        ResultBatch answer = engine.process(events);
        Writer results = outputs.results();
        for (Result result : answer.getResultsList()) {
            results.write(ResultJson.toJson(answer.getRules(result.getRule()), result));
            results.write('\n');
        }
        summary.results += answer.getResultsCount();
        if (answer.getDeadLettersCount() > 0) {
            EventBatchView view = new EventBatchView(events);
            for (DeadLetter failure : answer.getDeadLettersList()) {
                RuleRef rule = answer.getRules(failure.getRule());
                outputs.deadLetter(
                        DeadLetters.ruleFailure(
                                rule.getId(),
                                rule.getVersion(),
                                failure.getReason(),
                                view.at(failure.getEventIndex())));
            }
            summary.ruleFailures += answer.getDeadLettersCount();
        }
        if (answer.getLateEventsCount() > 0) {
            EventBatchView view = new EventBatchView(events);
            for (LateEvent late : answer.getLateEventsList()) {
                RuleRef rule = answer.getRules(late.getRule());
                outputs.late(
                        LateEvents.line(
                                rule.getId(), rule.getVersion(), view.at(late.getEventIndex())));
            }
            summary.late += answer.getLateEventsCount();
        }
    }

    @Override
    public void malformed(String deadLetter) throws IOException {
        outputs.deadLetter(deadLetter);
    }
}
