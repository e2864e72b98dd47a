package dev.flinksidecar.sidecar.rules.loading;

/**
 * The parent of every rule jar's classloader: it shows a rule the JDK (through the platform
 * classloader) and the rule API ({@code dev.flinksidecar.rule.*}, from the sidecar's own
 * classloader), and nothing else. Netty, protobuf, picocli and the sidecar's own classes stay
 * invisible, so a rule may bundle any version of them without clashing, as Flink's plugin loader
 * does.
 *
 * <p>Resources are looked up in the JDK only; a rule finds its own resources in its jar.
 */
final class RuleApiClassLoader extends ClassLoader {

    /** The only package prefix the sidecar shares with rules (the rule API and its subpackages). */
    static final String SHARED_PREFIX = "dev.flinksidecar.rule.";

    static final RuleApiClassLoader INSTANCE = new RuleApiClassLoader();

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader api = dev.flinksidecar.rule.Rule.class.getClassLoader();

    private RuleApiClassLoader() {
        super("flink-sidecar-rule-api", ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SHARED_PREFIX)) {
            return api.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }
}
