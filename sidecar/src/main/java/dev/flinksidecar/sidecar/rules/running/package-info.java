/**
 * Running loaded rules: one {@link dev.flinksidecar.sidecar.rules.running.RuleEngine} per session
 * (or per {@code replay} run) takes event batches, watermarks and checkpoint barriers and answers
 * with results, late events and dead letters.
 *
 * <pre>
 *   RuleFeedSource / RuleFeed / RuleChange   which versions a session runs, and when they change
 *                                            (RuleSet, FixedFeed: a fixed set; the registry in
 *                                            {@code deploy}: versions that change while it runs)
 *   RuleEngine                               one session's batches through every rule
 *     RuleTable                              what runs, in the order of the answer's rule table
 *       RuleSlot                             one rule id and how it moves between versions
 *         RunningRule                        one rule class as the engine calls it:
 *           PerEventRule                       a per-event instance
 *           WindowedChain, WindowedInstance    a windowed rule, older versions finishing theirs
 *     BatchAnswer, BatchWatermarks           the answer being built, the batch's watermarks
 *     KeyedState, KeyRestore                 keyed window state at barriers, and back
 *     ContextSwitch                          the context classloader around calls into rules
 * </pre>
 *
 * <p>Everything here runs on the thread of the session's rule executor (or {@code replay}'s main
 * thread), except where a class says otherwise. Jars, their classloaders and their refusals are
 * {@code rules.loading}'s: {@code RuleSet} only lists a folder and hands each jar to it.
 */
package dev.flinksidecar.sidecar.rules.running;
