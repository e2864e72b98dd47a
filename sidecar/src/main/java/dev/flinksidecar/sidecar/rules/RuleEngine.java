package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.proto.DeadLetter;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleRef;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs event batches through one session's own, opened rule instances, per-event and windowed
 * side by side: the single engine behind both {@code serve} (one per socket session) and {@code
 * replay} (one per run).
 *
 * <pre>
 *   EventBatch --EventBatchView (decoded once, one flyweight)--> for each event, in order:
 *                                                                   watermarks due before it
 *                                                                   for each rule, by id:
 *                                                                     per-event: rule.onEvent
 *                                                                     windowed:  add to windows,
 *                                                                       late firing or late event
 *                                                                 watermarks after the last event
 *   watermark w (interim, or the batch's own) --> for each windowed rule, by id: fire due windows
 *   ResultBatch <-- results in event order (a watermark's firings right after the events before
 *                   it), then rule order, then emit/timer order; late events; dead letters
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

    private final EngineRule[] rules;
    private final ClassLoader[] loaders;
    private final List<RuleRef> refs;
    private final List<RuleLoadException> refusals;
    private final BatchAnswer answer;
    private final boolean anyWindowed;
    /** The context classloader set now, during {@link #process}. */
    private ClassLoader current;

    private RuleEngine(List<EngineRule> rules, List<RuleLoadException> refusals, String sessionName) {
        this.rules = rules.toArray(new EngineRule[0]);
        this.loaders = new ClassLoader[this.rules.length];
        List<RuleRef> refs = new ArrayList<>();
        boolean windowed = false;
        for (int i = 0; i < this.rules.length; i++) {
            loaders[i] = this.rules[i].loaded.classLoader();
            refs.add(this.rules[i].loaded.ref());
            windowed |= this.rules[i].windowed();
        }
        this.refs = List.copyOf(refs);
        this.refusals = List.copyOf(refusals);
        this.answer = new BatchAnswer(sessionName, this.rules.length);
        this.anyWindowed = windowed;
    }

    /**
     * Opens a fresh instance of every rule of {@code ruleSet}. A rule that fails to open is left
     * out of this engine (logged, and listed in {@link #refusals()}); the others run.
     *
     * @param sessionName names the session in log messages
     */
    public static RuleEngine open(RuleSet ruleSet, String sessionName) {
        List<EngineRule> opened = new ArrayList<>();
        List<RuleLoadException> refusals = new ArrayList<>();
        for (LoadedRule rule : ruleSet.rules()) {
            try {
                opened.add(EngineRule.open(rule));
            } catch (RuleLoadException e) {
                LOG.warn("{}: rule {} left out: {}", sessionName, rule.id(), e.getMessage());
                refusals.add(e);
            }
        }
        return new RuleEngine(opened, refusals, sessionName);
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
     * Runs every event of {@code batch} through every rule, and its watermarks through every
     * windowed rule, each watermark after the events that precede it.
     *
     * @return the answer: same sequence, {@link #rules()} as its rule table, results, late
     *     events and dead letters
     * @throws IllegalArgumentException when the batch's columns do not add up (a broken client)
     */
    public ResultBatch process(EventBatch batch) {
        EventBatchView view = new EventBatchView(batch);
        BatchWatermarks watermarks = BatchWatermarks.of(batch, view.size());
        ResultBatch.Builder out = ResultBatch.newBuilder().setSequence(batch.getSequence()).addAllRules(refs);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        current = previous;
        answer.start(out);
        try {
            int size = view.size();
            for (int event = 0; event < size; event++) {
                applyWatermarks(watermarks, event, thread);
                view.at(event);
                for (int rule = 0; rule < rules.length; rule++) {
                    enter(thread, rule);
                    answer.at(rule, event, false);
                    int before = answer.resultCount();
                    try {
                        rules[rule].onEvent(view, answer);
                    } catch (Throwable e) {
                        Reasons.rethrowIfFatal(e);
                        answer.dropResultsFrom(before);
                        answer.deadLetter(Reasons.of(e));
                    }
                }
            }
            applyWatermarks(watermarks, size, thread);
        } finally {
            answer.finish();
            current = null;
            thread.setContextClassLoader(previous);
        }
        return out.build();
    }

    /** Applies the watermarks that hold after the first {@code events} events, to every windowed rule. */
    private void applyWatermarks(BatchWatermarks watermarks, int events, Thread thread) {
        while (watermarks.dueAt(events)) {
            long watermark = watermarks.next();
            if (!anyWindowed) {
                continue;
            }
            for (int rule = 0; rule < rules.length; rule++) {
                if (rules[rule].windowed()) {
                    enter(thread, rule);
                    answer.at(rule, events, true);
                    rules[rule].onWatermark(watermark, answer);
                }
            }
        }
    }

    private void enter(Thread thread, int rule) {
        if (current != loaders[rule]) {
            current = loaders[rule];
            thread.setContextClassLoader(current);
        }
    }

    /** Closes every rule instance (failures are logged). Runs rule code on the calling thread. */
    @Override
    public void close() {
        for (EngineRule rule : rules) {
            rule.close();
        }
    }
}
