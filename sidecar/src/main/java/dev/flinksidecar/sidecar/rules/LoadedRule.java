package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfig;
import java.lang.reflect.Constructor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rule class of a loaded jar, with the identity its results carry. It makes a fresh,
 * opened instance for each session ({@link #open()}); instances are never shared.
 *
 * <p>Every call into rule code made here runs with the thread's context classloader set to the
 * rule jar's loader and restored afterwards, so libraries inside the jar that look classes up
 * through the context classloader find their own.
 */
public final class LoadedRule {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedRule.class);

    private final String id;
    private final String version;
    private final RuleConfig config;
    private final String jarName;
    private final Constructor<? extends Rule> constructor;
    private final ClassLoader loader;
    private final RuleRef ref;

    LoadedRule(String id, String version, RuleConfig config, String jarName, Class<? extends Rule> type)
            throws NoSuchMethodException {
        this.id = id;
        this.version = version;
        this.config = config;
        this.jarName = jarName;
        this.constructor = type.getConstructor();
        this.loader = type.getClassLoader();
        this.ref = RuleRef.newBuilder().setId(id).setVersion(version).build();
    }

    /** The rule's id, as results name it. */
    public String id() {
        return id;
    }

    /** The version results of this rule carry. */
    public String version() {
        return version;
    }

    /** Id and version as the protocol carries them. */
    public RuleRef ref() {
        return ref;
    }

    /** The file name of the jar the rule came from, e.g. {@code threshold.jar}. */
    public String jarName() {
        return jarName;
    }

    /** The rule's class name. */
    public String className() {
        return constructor.getDeclaringClass().getName();
    }

    ClassLoader classLoader() {
        return loader;
    }

    /**
     * A new instance, opened with this rule's context. Runs rule code on the calling thread.
     *
     * @throws RuleLoadException naming the jar, the class and the cause when construction or
     *     {@link Rule#open} fails; the instance is closed then
     */
    public Rule open() throws RuleLoadException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        Rule rule = null;
        try {
            rule = constructor.newInstance();
            rule.open(new BasicRuleContext(id, version, config));
            return rule;
        } catch (Throwable e) {
            Reasons.rethrowIfFatal(e);
            String stage = rule == null ? "could not be created" : "failed to open";
            close(rule);
            throw new RuleLoadException(
                    "rule jar " + jarName + ": rule " + className() + " " + stage + ": " + Reasons.of(e), Reasons.unwrap(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Closes an instance made by {@link #open()}; a failure is logged, not thrown. Runs rule code on the calling thread. */
    public void close(Rule rule) {
        if (rule == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            rule.close();
        } catch (Throwable e) {
            Reasons.rethrowIfFatal(e);
            LOG.warn("rule {} ({}) failed to close: {}", id, jarName, Reasons.of(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public String toString() {
        return id + "@" + version + " (" + jarName + ")";
    }
}
