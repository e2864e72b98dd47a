package dev.flinksidecar.rule;

import java.time.Duration;

/**
 * A windowed rule: an aggregation over event-time windows per key, computed by the sidecar exactly
 * as Flink's own window operator computes {@code
 * keyBy(key).window(assigner).allowedLateness(lateness).aggregate(function)}, with the watermarks
 * of the Flink job.
 *
 * <pre>{@code
 * // Cards that spend more than 5000 within 10 minutes, checked every minute.
 * public final class BigSpender implements WindowedRule<double[]> {
 *     public WindowAssigner windowAssigner() {
 *         return WindowAssigner.sliding(Duration.ofMinutes(10), Duration.ofMinutes(1));
 *     }
 *     public boolean filter(Event event) {
 *         int i = event.indexOf("amount");
 *         return "payment".equals(event.type()) && i >= 0 && event.isNumber(i);
 *     }
 *     public double[] createAccumulator() { return new double[1]; }
 *     public double[] add(Event event, double[] sum) { sum[0] += event.getNumber("amount", 0); return sum; }
 *     public double[] merge(double[] a, double[] b) { a[0] += b[0]; return a; }
 *     public double getResult(double[] sum) { return sum[0]; }
 *     public boolean keepResult(double value, long count) { return value > 5000; }
 *     public AccumulatorCodec<double[]> accumulatorCodec() { return AccumulatorCodec.doubles(); }
 * }
 * }</pre>
 *
 * <p>List the class in {@code META-INF/services/dev.flinksidecar.rule.WindowedRule} inside the rule
 * jar (per-event rules go to {@code ...rule.Rule}; one jar may hold both kinds).
 *
 * <h2>What the sidecar does with it</h2>
 *
 * <p>For each event that {@link #filter} keeps, the sidecar assigns its windows with {@link
 * #windowAssigner()}, and adds the event to the accumulator of each window that is not yet past its
 * allowed lateness (memory holds one accumulator per open window and key, never the events). A
 * window <b>fires</b> when the watermark reaches its end minus 1 ms: the sidecar calls {@link
 * #getResult} and, if {@link #keepResult} agrees, emits one window result with the key, {@code
 * window_start}, {@code window_end} (exclusive), {@code value} and {@code count} (the number of
 * events added to the window). With an {@link #allowedLateness()} above zero the window is kept
 * that much longer, and each event that still joins it fires it again at once with the updated
 * value (a late firing). Once the watermark reaches end - 1 + lateness, the window is dropped. An
 * event whose windows are all past their lateness, and whose own time + lateness is not above the
 * watermark, goes to the job's late-event output. At the end of the input the watermark jumps to
 * the end of time and every open window fires.
 *
 * <h2>Accumulators</h2>
 *
 * <p>The methods {@link #createAccumulator}, {@link #add}, {@link #merge} and {@link #getResult}
 * have the shape of Flink's {@code AggregateFunction}. {@code add} and {@code merge} may change the
 * accumulator they are given and return it. Keep accumulators small (a few numbers), since the
 * sidecar holds one per open window and key; they are written into Flink's checkpoints with {@link
 * #accumulatorCodec()}, never with Java serialisation.
 *
 * <h2>Failures</h2>
 *
 * <p>An exception from {@link #filter}, {@link #add}, {@link #merge}, {@link #createAccumulator}
 * or, in a late firing, {@link #getResult}/{@link #keepResult} sends the event to the dead-letter
 * output with the reason; windows the event was already added to keep it, so throw before changing
 * an accumulator. An exception from {@link #getResult} or {@link #keepResult} when a watermark
 * fires a window drops that one result and is logged.
 *
 * <p>Thread model: as {@link Rule}: one instance per session, called from one thread at a time.
 *
 * @param <ACC> the accumulator: a small mutable or immutable value, one per window and key
 */
public interface WindowedRule<ACC> extends AutoCloseable {

    /**
     * Called once before the first event. Read the configuration here and fail fast: an exception
     * refuses the rule with its message.
     *
     * @param context the rule's id, version and configuration
     * @throws Exception when the rule cannot run with this configuration
     */
    default void open(RuleContext context) throws Exception {}

    /** The windows: tumbling, sliding or session. Called once, after {@link #open}. */
    WindowAssigner windowAssigner();

    /**
     * How long after its end a window still accepts events (Flink's {@code allowedLateness}): zero
     * or more. Called once, after {@link #open}. Default zero: events behind the watermark go to
     * the late output.
     */
    default Duration allowedLateness() {
        return Duration.ZERO;
    }

    /**
     * Whether the event belongs to this rule's windows at all. Events it rejects are not counted,
     * not late and not seen by {@link #add}. Default: every event.
     *
     * @param event the event; valid only during this call
     */
    default boolean filter(Event event) {
        return true;
    }

    /** A new, empty accumulator for a window. */
    ACC createAccumulator();

    /**
     * Adds one event to a window's accumulator.
     *
     * @param event the event; valid only during this call: copy out what you keep
     * @param accumulator the window's accumulator
     * @return the updated accumulator (it may be {@code accumulator} itself)
     */
    ACC add(Event event, ACC accumulator);

    /**
     * Merges the accumulators of two session windows that one event joined. The sidecar passes the
     * earlier window first. Called only for {@link WindowAssigner#session session} windows.
     *
     * @return the merged accumulator (it may be {@code a} itself)
     */
    ACC merge(ACC a, ACC b);

    /** The value a firing of the window reports, e.g. the sum; NaN and infinities print as null. */
    double getResult(ACC accumulator);

    /**
     * Whether a firing with this value is emitted, like a filter after Flink's window aggregate;
     * e.g. {@code value > limit} for "sum of amounts above a limit". Default: every firing is
     * emitted, as Flink's window operator does.
     *
     * @param value what {@link #getResult} returned
     * @param count the number of events in the window
     */
    default boolean keepResult(double value, long count) {
        return true;
    }

    /** How the sidecar writes and reads this rule's accumulators (for checkpoints). */
    AccumulatorCodec<ACC> accumulatorCodec();

    /**
     * Names the meaning and encoding of this rule's accumulators, e.g. {@code "amount-sum/1"}, so
     * that a new version of the rule can take over the windows that are open when it is deployed.
     * Called once, after {@link #open}.
     *
     * <p>When the new version declares the same non-null layout as the one it replaces, and the
     * same {@link #windowAssigner()} and {@link #allowedLateness()}, the sidecar hands it the open
     * windows: each accumulator is written with the old version's {@link #accumulatorCodec()} and
     * read with the new one's, so the windows fire under the new version with everything they
     * aggregated. Otherwise (a different or no layout, other windows), the windows opened under the
     * old version finish under it: they take the events that belong to them and fire with the old
     * version, while the new version opens the other windows. Change the layout whenever the
     * accumulator's content or encoding changes.
     *
     * <p>Default null: no layout declared, windows are never carried over.
     *
     * @since rule API 1.1
     */
    default String stateLayout() {
        return null;
    }

    /** Called once when the session ends or the rule is retired. */
    @Override
    default void close() throws Exception {}
}
