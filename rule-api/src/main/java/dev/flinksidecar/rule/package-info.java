/**
 * The API that rule jars implement. This package is all a rule author compiles against.
 *
 * <h2>Writing a rule</h2>
 *
 * <pre>{@code
 * public final class BigPayment implements Rule {
 *     private String field;
 *     private double limit;
 *
 *     public void open(RuleContext context) {
 *         field = context.config().getString("field", "amount");
 *         limit = context.config().requireDouble("limit");
 *     }
 *
 *     public void onEvent(Event event, ResultCollector out) {
 *         int i = event.indexOf(field);
 *         if (i >= 0 && event.isNumber(i) && event.numberAt(i) > limit) {
 *             out.emit(Result.of(event).set("value", event.numberAt(i)));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>List the class in {@code META-INF/services/dev.flinksidecar.rule.Rule} inside the jar, put
 * the jar (and an optional JSON config of the same base name) into the sidecar's rules
 * directory, and every event of the job flows through {@code onEvent}. Results carry the rule's
 * id and version; the sidecar adds both.
 *
 * <h2>Writing a windowed rule</h2>
 *
 * <p>A {@link dev.flinksidecar.rule.WindowedRule} aggregates the events of each key over
 * event-time windows ({@link dev.flinksidecar.rule.WindowAssigner}: tumbling, sliding or session),
 * with an allowed lateness and an optional filter, as Flink's window operator would with the
 * job's watermarks; its accumulators are written with an {@link
 * dev.flinksidecar.rule.AccumulatorCodec}. List it in {@code
 * META-INF/services/dev.flinksidecar.rule.WindowedRule}. Its results carry {@code window_start},
 * {@code window_end}, {@code value} and {@code count} instead of {@code time}.
 *
 * <h2>Threads and lifetime</h2>
 *
 * <p>The sidecar creates one instance of each rule per session (one session per parallel
 * instance of the Flink operator), calls {@link dev.flinksidecar.rule.Rule#open open} once, then
 * {@link dev.flinksidecar.rule.Rule#onEvent onEvent} for each event from one thread at a time,
 * and {@link dev.flinksidecar.rule.Rule#close close} when the session ends. Instances of the same
 * rule in different sessions may run at the same time on different threads, so share nothing
 * mutable between them through static fields.
 *
 * <p>The classes a rule jar may see from the sidecar are the JDK and this package; everything
 * else the rule needs belongs inside its own jar.
 */
package dev.flinksidecar.rule;
