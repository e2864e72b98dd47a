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
import dev.flinksidecar.sidecar.window.GuardedWrites;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
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

    /**
     * Brackets every write a rule's call makes here (results, late events, the rule re-pointed), so
     * that a rule thread the engine abandoned cannot make one.
     */
    private final GuardedWrites guard;

    BatchAnswer(String sessionName, int rules, GuardedWrites guard) {
        this.sessionName = sessionName;
        this.guard = guard;
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
        guard.begin();
        this.rule = rule;
        guard.end();
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

    /**
     * Settles a rule quarantined during the batch: drops what its versions (the table indexes
     * {@code indexes}) gave, and makes each of the first {@code given} events, which it was given
     * before the quarantine, a dead letter with {@code reason} at table index {@code index}; the
     * later events are already its dead letters (a {@link QuarantinedRule}'s). Call {@link
     * #sortDeadLetters} after the last.
     */
    void quarantined(BitSet indexes, int index, int given, String reason) {
        List<dev.flinksidecar.proto.Result> results = new ArrayList<>(out.getResultsList());
        results.removeIf(r -> indexes.get(r.getRule()));
        out.clearResults().addAllResults(results);
        List<LateEvent> late = new ArrayList<>(out.getLateEventsList());
        late.removeIf(l -> indexes.get(l.getRule()));
        out.clearLateEvents().addAllLateEvents(late);
        List<DeadLetter> dead = new ArrayList<>(out.getDeadLettersList());
        dead.removeIf(d -> indexes.get(d.getRule()) && d.getEventIndex() < given);
        for (int event = 0; event < given; event++) {
            dead.add(
                    DeadLetter.newBuilder()
                            .setEventIndex(event)
                            .setRule(index)
                            .setReason(reason)
                            .build());
        }
        out.clearDeadLetters().addAllDeadLetters(dead);
        for (int i = indexes.nextSetBit(0); i >= 0; i = indexes.nextSetBit(i + 1)) {
            this.results[i] = 0;
            lateEvents[i] = 0;
            deadLetters[i] = 0;
        }
        for (DeadLetter letter : dead) {
            if (letter.getRule() == index) {
                deadLetters[index]++;
            }
        }
    }

    /** Puts the dead letters back in event order (then rule order) after a quarantine. */
    void sortDeadLetters() {
        List<DeadLetter> dead = new ArrayList<>(out.getDeadLettersList());
        dead.sort(
                Comparator.comparingInt(DeadLetter::getEventIndex)
                        .thenComparingInt(DeadLetter::getRule));
        out.clearDeadLetters().addAllDeadLetters(dead);
    }

    /** The current event is late for the current (windowed) rule. */
    void late() {
        guard.begin();
        try {
            lateEvents[rule]++;
            out.addLateEvents(LateEvent.newBuilder().setEventIndex(event).setRule(rule));
        } finally {
            guard.end();
        }
    }

    @Override
    public void emit(Result emitted) {
        guard.begin();
        try {
            if (out == null) {
                throw new IllegalStateException("emit() called after onEvent() returned");
            }
            result.setRule(rule).setEventIndex(event).setKey(emitted.key()).setTime(emitted.time());
            ProtoAttributes.addTo(emitted, result);
            out.addResults(result);
            results[rule]++;
        } finally {
            result.clear();
            guard.end();
        }
    }

    @Override
    public void fire(String key, long start, long end, double value, long count) {
        guard.begin();
        try {
            addFiring(key, start, end, value, count);
        } finally {
            guard.end();
        }
    }

    private void addFiring(String key, long start, long end, double value, long count) {
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
