/**
 * Loading a rule jar: from its bytes and config to a validated {@link
 * dev.flinksidecar.sidecar.rules.loading.RuleJar} with its own classloader, or a refusal that says
 * why ({@link dev.flinksidecar.sidecar.rules.loading.RuleLoadException}).
 *
 * <pre>
 *   RuleArtifact   identity (id, version, ContentHash over Sha256), config, where the jar lies
 *   RuleJar.load   JarScan (entries streamed within JarLimits and intact, each class's ConstantPool:
 *                  ClassReferences to the rule API, RefusedCalls by Capability)
 *                  ApiCompatibility (manifest, references, implemented methods)
 *                  a classloader under RuleApiClassLoader, the LoadedRules of its services files
 *                  one trial instance of each (WindowedRuleCheck), then its SelfTest
 *   RuleVersion    a loaded jar as sessions run it, counted until its loader can be closed
 * </pre>
 *
 * <p>The running side ({@code rules.running}) depends on this package; the one way back is the
 * {@code SelfTest}, which runs a candidate through the real engine once, so that a jar's own
 * expected results are checked with exactly the semantics it will run with.
 */
package dev.flinksidecar.sidecar.rules.loading;
