package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.WindowedRule;
import java.lang.reflect.Constructor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rule class of a loaded jar, with the identity its results carry: a per-event {@link Rule} or
 * a {@link WindowedRule} ({@link #windowed()}). It makes a fresh, opened instance for each session
 * ({@link #open()} or {@link #openWindowed()}); instances are never shared.
 *
 * <p>Every call into rule code made here runs with the thread's context classloader set to the rule
 * jar's loader and restored afterwards, so libraries inside the jar that look classes up through
 * the context classloader find their own.
 */
public final class LoadedRule {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedRule.class);

    private final String id;
    private final String version;
    private final RuleConfig config;
    private final String jarName;
    private final Constructor<?> constructor;
    private final boolean windowed;
    private final ClassLoader loader;
    private final RuleRef ref;

    LoadedRule(
            String id,
            String version,
            RuleConfig config,
            String jarName,
            Class<?> type,
            boolean windowed)
            throws NoSuchMethodException {
        this.id = id;
        this.version = version;
        this.config = config;
        this.jarName = jarName;
        this.constructor = type.getConstructor();
        this.windowed = windowed;
        this.loader = type.getClassLoader();
        this.ref = RuleRef.newBuilder().setId(id).setVersion(version).build();
    }

    /** The config it is opened with. */
    public RuleConfig config() {
        return config;
    }

    /** This rule with another config (a self-test's own), sharing the class and its loader. */
    LoadedRule withConfig(RuleConfig other) {
        try {
            return new LoadedRule(
                    id, version, other, jarName, constructor.getDeclaringClass(), windowed);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the constructor was found before", e);
        }
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

    /**
     * True for a {@link WindowedRule} (open it with {@link #openWindowed()}), false for a per-event
     * {@link Rule}.
     */
    public boolean windowed() {
        return windowed;
    }

    /** The loader of its jar: the context classloader of every call into its code. */
    public ClassLoader classLoader() {
        return loader;
    }

    /**
     * A new per-event instance, opened with this rule's context. Runs rule code on the calling
     * thread.
     *
     * @throws RuleLoadException naming the jar, the class and the cause when construction or {@link
     *     Rule#open} fails; the instance is closed then
     * @throws IllegalStateException when this is a windowed rule
     */
    public Rule open() throws RuleLoadException {
        if (windowed) {
            throw new IllegalStateException(
                    "rule " + this + " is a windowed rule; use openWindowed()");
        }
        return (Rule) openInstance();
    }

    /**
     * A new windowed instance, opened with this rule's context and checked: it must declare windows
     * and a lateness of zero or more, and its codec must write and read back a fresh accumulator.
     * Runs rule code on the calling thread.
     *
     * @throws RuleLoadException naming the jar, the class and the cause when construction, {@link
     *     WindowedRule#open} or the check fails; the instance is closed then
     * @throws IllegalStateException when this is a per-event rule
     */
    public WindowedRule<?> openWindowed() throws RuleLoadException {
        if (!windowed) {
            throw new IllegalStateException("rule " + this + " is a per-event rule; use open()");
        }
        return (WindowedRule<?>) openInstance();
    }

    /**
     * Opens and closes one instance, to refuse a rule that cannot run before any session sees it.
     */
    void trial() throws RuleLoadException {
        closeInstance(openInstance());
    }

    private AutoCloseable openInstance() throws RuleLoadException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        AutoCloseable instance = null;
        try {
            instance = (AutoCloseable) constructor.newInstance();
            BasicRuleContext context = new BasicRuleContext(id, version, config);
            if (windowed) {
                WindowedRule<?> rule = (WindowedRule<?>) instance;
                rule.open(context);
                WindowedRuleCheck.check(rule);
            } else {
                ((Rule) instance).open(context);
            }
            return instance;
        } catch (Throwable e) {
            Reasons.rethrowIfFatal(e);
            String stage = instance == null ? "could not be created" : "failed to open";
            closeInstance(instance);
            throw new RuleLoadException(
                    "rule jar "
                            + jarName
                            + ": rule "
                            + className()
                            + " "
                            + stage
                            + ": "
                            + Reasons.of(e),
                    Reasons.stack(e),
                    Reasons.unwrap(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Closes an instance made by {@link #open()}; a failure is logged, not thrown. Runs rule code
     * on the calling thread.
     */
    public void close(Rule rule) {
        closeInstance(rule);
    }

    /**
     * Closes an instance made by {@link #openWindowed()}; a failure is logged, not thrown. Runs
     * rule code on the calling thread.
     */
    public void close(WindowedRule<?> rule) {
        closeInstance(rule);
    }

    private void closeInstance(AutoCloseable rule) {
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
