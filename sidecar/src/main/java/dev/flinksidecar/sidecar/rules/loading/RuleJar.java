package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.WindowedRule;
import java.io.Closeable;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * One rule jar, loaded and validated: its own classloader (parent: {@link RuleApiClassLoader}), its
 * config, its identity ({@link RuleArtifact}) and the rules its {@code
 * META-INF/services/dev.flinksidecar.rule.Rule} (per-event rules) and {@code
 * META-INF/services/dev.flinksidecar.rule.WindowedRule} (windowed rules) list.
 *
 * <p>Validation, in this order; the first failure refuses the jar with a message of its own:
 *
 * <pre>
 *   readable       the jar's directory and manifest read        "is not a readable jar: ..."
 *   within limits  no entry inflates past the JarLimits          "refused: entry X inflates to more than ..."
 *   intact         every entry inflates and passes its CRC       "is corrupt: entry X ..."
 *   calls          no class calls what its config does not allow "refused: class C calls java.lang.System.exit ..."
 *   API version    manifest Rule-Api-Version has our major       "is incompatible: it was built for rule API 2.0 ..."
 *   API linkage    every rule-API member it uses exists here     "is incompatible with this sidecar's rule API 1.1: it uses ..."
 *   rules found    the services files list loadable rule classes "has no rule" / "a rule class could not be loaded"
 *   implements     each rule implements its interface's methods  "is incompatible ...: method ... is not implemented"
 *   opens          one instance of each opens and closes         "rule X failed to open: ..." (+ its stack)
 *   self-test      its shipped events give its expected results  "self-test failed: ..." (+ the differences)
 * </pre>
 *
 * <p>Closing the jar closes its classloader; instances made from it must be closed first.
 */
public final class RuleJar implements Closeable {

    private final RuleArtifact artifact;
    private final URLClassLoader loader;
    private final List<LoadedRule> rules;

    private RuleJar(RuleArtifact artifact, URLClassLoader loader, List<LoadedRule> rules) {
        this.artifact = artifact;
        this.loader = loader;
        this.rules = Collections.unmodifiableList(rules);
    }

    /**
     * Loads the jar at {@code jar}, with its config {@code NAME.json} beside it. Runs rule code
     * (constructors, {@code open}, {@code close}, the self-test) on the calling thread.
     *
     * @throws RuleLoadException naming the jar and the cause when any validation step fails
     */
    public static RuleJar load(Path jar) throws RuleLoadException {
        return load(RuleArtifact.read(jar, "rules-dir " + jar.getFileName()), loader -> {});
    }

    /**
     * Loads and validates {@code artifact} (see the class comment). Runs rule code on the calling
     * thread.
     *
     * @param refused gets the jar's classloader, already closed, when the jar is refused after its
     *     loader was made: rule code may have run in it, so it deserves the same watch for leaks as
     *     a retired version's
     * @throws RuleLoadException naming the jar and the cause when any validation step fails
     */
    public static RuleJar load(RuleArtifact artifact, Consumer<URLClassLoader> refused)
            throws RuleLoadException {
        return load(artifact, JarLimits.DEFAULTS, refused);
    }

    /**
     * As {@link #load(RuleArtifact, Consumer)}, reading the jar within {@code limits}.
     *
     * @throws RuleLoadException naming the jar and the cause when any validation step fails
     */
    public static RuleJar load(
            RuleArtifact artifact, JarLimits limits, Consumer<URLClassLoader> refused)
            throws RuleLoadException {
        String fileName = artifact.fileName();
        JarScan.Contents contents = JarScan.scan(fileName, artifact.jarFile(), limits);
        contents.calls().check(fileName, artifact.allowed());
        ApiCompatibility.checkManifest(fileName, artifact.apiVersion());
        ApiCompatibility.checkReferences(fileName, contents.references());
        URLClassLoader loader = newLoader(artifact);
        try {
            List<LoadedRule> rules = new ArrayList<>();
            for (Class<?> type :
                    ruleClasses(fileName, loader, Rule.class, contents.providers(Rule.class))) {
                rules.add(newRule(artifact, type, false));
            }
            for (Class<?> type :
                    ruleClasses(
                            fileName,
                            loader,
                            WindowedRule.class,
                            contents.providers(WindowedRule.class))) {
                rules.add(newRule(artifact, type, true));
            }
            if (rules.isEmpty()) {
                throw new RuleLoadException(
                        "rule jar "
                                + fileName
                                + " has no rule: it needs a file META-INF/services/"
                                + Rule.class.getName()
                                + " naming a class that implements "
                                + Rule.class.getName()
                                + ", or META-INF/services/"
                                + WindowedRule.class.getName()
                                + " naming a class that implements "
                                + WindowedRule.class.getName());
            }
            for (LoadedRule rule : rules) {
                rule.trial();
            }
            RuleJar jar = new RuleJar(artifact, loader, rules);
            SelfTest.run(jar);
            return jar;
        } catch (RuleLoadException | RuntimeException | Error e) {
            closeQuietly(loader);
            refused.accept(loader);
            throw e;
        }
    }

    /** The jar's file name, e.g. {@code fraud.jar}. */
    public String fileName() {
        return artifact.fileName();
    }

    /** What was deployed: identity, config, where the bytes are. */
    public RuleArtifact artifact() {
        return artifact;
    }

    /** The rules of this jar, in the order its services files list them (per-event rules first). */
    public List<LoadedRule> rules() {
        return rules;
    }

    /**
     * True when the jar holds at least one windowed rule: it has state, so it changes at
     * checkpoints.
     */
    public boolean windowed() {
        return rules.stream().anyMatch(LoadedRule::windowed);
    }

    /** The jar's classloader, named {@code rule:ID@VERSION}. */
    public URLClassLoader classLoader() {
        return loader;
    }

    @Override
    public void close() throws IOException {
        loader.close();
    }

    private static URLClassLoader newLoader(RuleArtifact artifact) throws RuleLoadException {
        try {
            return new URLClassLoader(
                    "rule:".concat(artifact.id()).concat("@").concat(artifact.version()),
                    new URL[] {artifact.jarFile().toUri().toURL()},
                    RuleApiClassLoader.INSTANCE);
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + artifact.fileName() + ": " + e, e);
        }
    }

    /**
     * The classes of {@code names} (what the jar's services file for {@code service} lists) that
     * the jar itself holds. Read from the jar, not with {@code ServiceLoader}: that also searches
     * every parent loader's class path and the JDK's modules for services files, about 10 ms of the
     * sidecar's start with three rules (BENCHMARKS.md, StartupFootprint).
     */
    private static List<Class<?>> ruleClasses(
            String fileName, ClassLoader loader, Class<?> service, List<String> names)
            throws RuleLoadException {
        List<Class<?>> types = new ArrayList<>();
        for (String name : names) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (Throwable e) {
                Reasons.rethrowIfFatal(e);
                throw new RuleLoadException(
                        "rule jar "
                                + fileName
                                + ": a rule class could not be loaded: "
                                + name
                                + ": "
                                + Reasons.of(e),
                        e);
            }
            if (!service.isAssignableFrom(type)) {
                throw new RuleLoadException(
                        "rule jar "
                                + fileName
                                + ": a rule class could not be loaded: "
                                + name
                                + " does not implement "
                                + service.getName()
                                + " (META-INF/services/"
                                + service.getName()
                                + ")");
            }
            if (type.getClassLoader() == loader) {
                types.add(type);
            }
        }
        for (Class<?> type : types) {
            ApiCompatibility.checkImplements(fileName, type, service);
        }
        return types;
    }

    private static LoadedRule newRule(RuleArtifact artifact, Class<?> type, boolean windowed)
            throws RuleLoadException {
        try {
            return new LoadedRule(
                    artifact.id(),
                    artifact.version(),
                    artifact.config(),
                    artifact.fileName(),
                    type,
                    windowed);
        } catch (NoSuchMethodException e) {
            throw new RuleLoadException(
                    "rule jar "
                            + artifact.fileName()
                            + ": rule "
                            + type.getName()
                            + " has no public no-argument constructor",
                    e);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // the jar is refused anyway; the message that matters is the refusal
        }
    }

    @Override
    public String toString() {
        return artifact.toString();
    }
}
