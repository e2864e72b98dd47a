package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.events.wire.ProtoAttributes;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.LateEvent;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.WindowFiring;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.ResultCollector;
import dev.flinksidecar.sidecar.rules.loading.Reasons;
import dev.flinksidecar.sidecar.window.Firings;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link ResultBatch} of one event batch from what the rules produce: per-event results
 * ({@link ResultCollector}), window firings ({@link Firings}), late events and dead letters. The
 * engine positions it ({@link #at}) before every call into a rule, so each entry carries the right
 * rule and event index. Reused for every batch of one engine; one thread.
 */
final class BatchAnswer implements ResultCollector, Firings {

    private static final Logger LOG = LoggerFactory.getLogger(BatchAnswer.class);

    private final String sessionName;
    private final dev.flinksidecar.proto.Result.Builder result =
            dev.flinksidecar.proto.Result.newBuilder();
    private final WindowFiring.Builder window = WindowFiring.newBuilder();
    private long[] failedFirings;

    /** Per rule table index, for the batch being answered: results, dead letters, late events. */
    private int[] results = new int[0];

    private int[] deadLetters = new int[0];
    private int[] lateEvents = new int[0];
    private ResultBatch.Builder out;
    private int rule;
    private int event;
    private boolean byWatermark;

    BatchAnswer(String sessionName, int rules) {
        this.sessionName = sessionName;
        this.failedFirings = new long[rules];
    }

    /** Starts the answer of a batch whose rule table has {@code rules} entries. */
    void start(ResultBatch.Builder out, int rules) {
        this.out = out;
        if (failedFirings.length < rules) {
            failedFirings = Arrays.copyOf(failedFirings, rules);
        }
        if (results.length < rules) {
            results = new int[rules];
            deadLetters = new int[rules];
            lateEvents = new int[rules];
        } else {
            Arrays.fill(results, 0, rules, 0);
            Arrays.fill(deadLetters, 0, rules, 0);
            Arrays.fill(lateEvents, 0, rules, 0);
        }
    }

    /** Results of the last batch from the rule at table index {@code rule}. */
    int results(int rule) {
        return results[rule];
    }

    /** Dead letters of the last batch from the rule at table index {@code rule}. */
    int deadLetters(int rule) {
        return deadLetters[rule];
    }

    /** Late events of the last batch for the rule at table index {@code rule}. */
    int lateEvents(int rule) {
        return lateEvents[rule];
    }

    void finish() {
        out = null;
    }

    /**
     * Positions the answer: what follows comes from rule {@code rule}, for the event at {@code
     * event}, or when {@code byWatermark}, from the watermark after the first {@code event} events.
     */
    void at(int rule, int event, boolean byWatermark) {
        this.rule = rule;
        this.event = event;
        this.byWatermark = byWatermark;
    }

    /**
     * Re-points the answer at another rule (an older version finishing its windows), same event.
     */
    void rule(int rule) {
        this.rule = rule;
    }

    /** How many results there are so far; with {@link #dropResultsFrom} undoes a failed call. */
    int resultCount() {
        return out.getResultsCount();
    }

    void dropResultsFrom(int count) {
        for (int i = out.getResultsCount() - 1; i >= count; i--) {
            results[out.getResults(i).getRule()]--;
            out.removeResults(i);
        }
    }

    void deadLetter(String reason) {
        deadLetters[rule]++;
        out.addDeadLetters(
                DeadLetter.newBuilder().setEventIndex(event).setRule(rule).setReason(reason));
    }

    /** The current event is late for the current (windowed) rule. */
    void late() {
        lateEvents[rule]++;
        out.addLateEvents(LateEvent.newBuilder().setEventIndex(event).setRule(rule));
    }

    @Override
    public void emit(Result emitted) {
        if (out == null) {
            throw new IllegalStateException("emit() called after onEvent() returned");
        }
        result.setRule(rule).setEventIndex(event).setKey(emitted.key()).setTime(emitted.time());
        ProtoAttributes.addTo(emitted, result);
        out.addResults(result);
        results[rule]++;
        result.clear();
    }

    @Override
    public void fire(String key, long start, long end, double value, long count) {
        window.setStart(start)
                .setEnd(end)
                .setValue(value)
                .setCount(count)
                .setByWatermark(byWatermark);
        result.setRule(rule).setEventIndex(event).setKey(key).setTime(end - 1).setWindow(window);
        out.addResults(result);
        results[rule]++;
        result.clear();
        window.clear();
    }

    @Override
    public void failed(String key, long start, long end, Throwable error) {
        long failures = ++failedFirings[rule];
        if (failures <= 10 || failures % 1000 == 0) {
            LOG.warn(
                    "{}: rule {} failed to fire window [{}, {}) of key {} (failure {}), result dropped: {}",
                    sessionName,
                    out.getRules(rule).getId(),
                    start,
                    end,
                    key,
                    failures,
                    Reasons.of(error));
        }
    }
}
