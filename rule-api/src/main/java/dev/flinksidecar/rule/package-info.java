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
 * <p>List the class in {@code META-INF/services/dev.flinksidecar.rule.Rule} inside the jar, put the
 * jar (and an optional JSON config of the same base name) into the sidecar's rules directory, and
 * every event of the job flows through {@code onEvent}. Results carry the rule's id and version;
 * the sidecar adds both.
 *
 * <h2>Writing a windowed rule</h2>
 *
 * <p>A {@link dev.flinksidecar.rule.WindowedRule} aggregates the events of each key over event-time
 * windows ({@link dev.flinksidecar.rule.WindowAssigner}: tumbling, sliding or session), with an
 * allowed lateness and an optional filter, as Flink's window operator would with the job's
 * watermarks; its accumulators are written with an {@link dev.flinksidecar.rule.AccumulatorCodec}.
 * List it in {@code META-INF/services/dev.flinksidecar.rule.WindowedRule}. Its results carry {@code
 * window_start}, {@code window_end}, {@code value} and {@code count} instead of {@code time}.
 *
 * <h2>Threads and lifetime</h2>
 *
 * <p>The sidecar creates one instance of each rule per session (one session per parallel instance
 * of the Flink operator), calls {@link dev.flinksidecar.rule.Rule#open open} once, then {@link
 * dev.flinksidecar.rule.Rule#onEvent onEvent} for each event from one thread at a time, and {@link
 * dev.flinksidecar.rule.Rule#close close} when the session ends. Instances of the same rule in
 * different sessions may run at the same time on different threads, so share nothing mutable
 * between them through static fields.
 *
 * <p>The classes a rule jar may see from the sidecar are the JDK and this package; everything else
 * the rule needs belongs inside its own jar.
 *
 * <h2>Versions and hot swaps</h2>
 *
 * <p>A running sidecar takes new versions of a rule jar without a restart ({@code admin deploy}, or
 * a new jar in its rules directory). Results carry the version from the config's {@code "version"}
 * or the jar's {@code Implementation-Version}, plus a short hash of the jar's and the config's
 * bytes, e.g. {@code 1.2.0+3f2a9c1}. Before a new version runs, the sidecar checks it: the jar must
 * be intact; its manifest attribute {@code Rule-Api-Version} ({@link
 * dev.flinksidecar.rule.RuleApi}), if any, must have this API's major version; every type and
 * member of this package it uses must exist; each rule must open with its config; and the self-test
 * it ships, if any, must pass. A refused version changes nothing.
 *
 * <p>A self-test is three entries in the jar: {@code META-INF/sidecar/selftest.jsonl} (events, as
 * in an event file), {@code META-INF/sidecar/selftest-expected.jsonl} (the results they give, as
 * {@code replay} writes them; {@code rule} and {@code version} are not compared) and, optionally,
 * {@code META-INF/sidecar/selftest-config.json} (the config to test with).
 *
 * <p>Per-event rules switch to a new version between two batches of events; windowed rules right
 * after a checkpoint, on every parallel instance at once. A windowed rule that declares the same
 * {@link dev.flinksidecar.rule.WindowedRule#stateLayout()} as its previous version takes over the
 * open windows; otherwise they finish under the previous version. A retired version's classes are
 * unloaded: stop in {@code close()} every thread a rule started, and leave no thread-local,
 * shutdown hook or JDBC driver behind, or the sidecar reports the version as leaked.
 */
package dev.flinksidecar.rule;
