package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.events.wire.ProtoAttributes;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Result;
import dev.flinksidecar.rule.ResultCollector;
import dev.flinksidecar.rule.Rule;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs event batches through one session's own, opened rule instances: the single engine behind
 * both {@code serve} (one per socket session) and {@code replay} (one per run).
 *
 * <pre>
 *   EventBatch --EventBatchView (decoded once, one flyweight)--> for each event, in order:
 *                                                                   for each rule, by id:
 *                                                                     rule.onEvent(event, out)
 *   ResultBatch <-- results in event order, then rule order, then emit order; dead letters
 * </pre>
 *
 * <p>A rule that throws on an event gives a {@link DeadLetter} with the reason instead of its
 * results for that event (results it emitted before throwing are dropped); the engine goes on
 * with the next rule and event. The thread's context classloader is the calling rule's loader
 * during every call into rule code and is restored when {@link #process} returns.
 *
 * <p>Threads: not thread-safe. {@link #open}, {@link #process} and {@link #close} are called by
 * one thread at a time, never a Netty event loop (in {@code serve}: the session's serial rule
 * executor; in {@code replay}: the main thread).
 */
public final class RuleEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);

    private final LoadedRule[] rules;
    private final Rule[] instances;
    private final ClassLoader[] loaders;
    private final List<RuleRef> refs;
    private final List<RuleLoadException> refusals;
    private final Collector collector = new Collector();

    private RuleEngine(List<LoadedRule> rules, List<Rule> instances, List<RuleLoadException> refusals) {
        this.rules = rules.toArray(new LoadedRule[0]);
        this.instances = instances.toArray(new Rule[0]);
        this.loaders = new ClassLoader[this.rules.length];
        List<RuleRef> refs = new ArrayList<>();
        for (int i = 0; i < this.rules.length; i++) {
            loaders[i] = this.rules[i].classLoader();
            refs.add(this.rules[i].ref());
        }
        this.refs = List.copyOf(refs);
        this.refusals = List.copyOf(refusals);
    }

    /**
     * Opens a fresh instance of every rule of {@code ruleSet}. A rule that fails to open is left
     * out of this engine (logged, and listed in {@link #refusals()}); the others run.
     *
     * @param sessionName names the session in log messages
     */
    public static RuleEngine open(RuleSet ruleSet, String sessionName) {
        List<LoadedRule> opened = new ArrayList<>();
        List<Rule> instances = new ArrayList<>();
        List<RuleLoadException> refusals = new ArrayList<>();
        for (LoadedRule rule : ruleSet.rules()) {
            try {
                instances.add(rule.open());
                opened.add(rule);
            } catch (RuleLoadException e) {
                LOG.warn("{}: rule {} left out: {}", sessionName, rule.id(), e.getMessage());
                refusals.add(e);
            }
        }
        return new RuleEngine(opened, instances, refusals);
    }

    /** The rules this engine runs, in call order; {@code ResultBatch.rules} lists the same. */
    public List<RuleRef> rules() {
        return refs;
    }

    /** The rules of the rule set that failed to open for this engine. */
    public List<RuleLoadException> refusals() {
        return refusals;
    }

    /**
     * Runs every event of {@code batch} through every rule.
     *
     * @return the answer: same sequence, {@link #rules()} as its rule table, results and dead letters
     * @throws IllegalArgumentException when the batch's columns do not add up (a broken client)
     */
    public ResultBatch process(EventBatch batch) {
        EventBatchView view = new EventBatchView(batch);
        ResultBatch.Builder out = ResultBatch.newBuilder().setSequence(batch.getSequence()).addAllRules(refs);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader current = previous;
        collector.out = out;
        try {
            int size = view.size();
            for (int event = 0; event < size; event++) {
                view.at(event);
                for (int rule = 0; rule < instances.length; rule++) {
                    if (loaders[rule] != current) {
                        current = loaders[rule];
                        thread.setContextClassLoader(current);
                    }
                    int before = out.getResultsCount();
                    collector.event = event;
                    collector.rule = rule;
                    try {
                        instances[rule].onEvent(view, collector);
                    } catch (Throwable e) {
                        Reasons.rethrowIfFatal(e);
                        for (int i = out.getResultsCount() - 1; i >= before; i--) {
                            out.removeResults(i);
                        }
                        out.addDeadLetters(DeadLetter.newBuilder().setEventIndex(event).setRule(rule).setReason(Reasons.of(e)));
                    }
                }
            }
        } finally {
            collector.out = null;
            thread.setContextClassLoader(previous);
        }
        return out.build();
    }

    /** Closes every rule instance (failures are logged). Runs rule code on the calling thread. */
    @Override
    public void close() {
        for (int i = 0; i < instances.length; i++) {
            rules[i].close(instances[i]);
            instances[i] = null;
        }
    }

    /** Appends what a rule emits to the batch being built; reused for every call. */
    private static final class Collector implements ResultCollector {
        private final dev.flinksidecar.proto.Result.Builder result = dev.flinksidecar.proto.Result.newBuilder();
        private ResultBatch.Builder out;
        private int event;
        private int rule;

        @Override
        public void emit(Result emitted) {
            if (out == null) {
                throw new IllegalStateException("emit() called after onEvent() returned");
            }
            result.setRule(rule).setEventIndex(event).setKey(emitted.key()).setTime(emitted.time());
            ProtoAttributes.addTo(emitted, result);
            out.addResults(result);
            result.clear();
        }
    }
}
