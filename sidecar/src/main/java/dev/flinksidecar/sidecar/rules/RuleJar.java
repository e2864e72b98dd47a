package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.RuleConfig;
import dev.flinksidecar.rule.WindowedRule;
import java.io.Closeable;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * One rule jar, loaded: its own classloader (parent: {@link RuleApiClassLoader}), its config
 * ({@code NAME.json} beside {@code NAME.jar}), its identity and the rules its {@code
 * META-INF/services/dev.flinksidecar.rule.Rule} (per-event rules) and {@code
 * META-INF/services/dev.flinksidecar.rule.WindowedRule} (windowed rules) list.
 *
 * <p>Identity: id = config {@code "id"}, else the jar's base name; version = config {@code
 * "version"}, else the manifest's {@code Implementation-Version}, else {@code unversioned}.
 *
 * <p>{@link #load} opens and closes one instance of every rule once, so a jar whose rule cannot
 * be created or fails in {@code open} is refused before any session sees it. Closing the jar
 * closes its classloader; instances made from it must be closed first.
 */
public final class RuleJar implements Closeable {

    static final String UNVERSIONED = "unversioned";

    private final String fileName;
    private final URLClassLoader loader;
    private final List<LoadedRule> rules;

    private RuleJar(String fileName, URLClassLoader loader, List<LoadedRule> rules) {
        this.fileName = fileName;
        this.loader = loader;
        this.rules = Collections.unmodifiableList(rules);
    }

    /**
     * Loads the jar at {@code jar}. Runs rule code (constructors, {@code open}, {@code close}) on
     * the calling thread.
     *
     * @throws RuleLoadException naming the jar and the cause when the jar or its config cannot be
     *     read, it lists no rule, a rule class does not load, or a rule fails to open
     */
    public static RuleJar load(Path jar) throws RuleLoadException {
        String fileName = jar.getFileName().toString();
        String baseName = fileName.endsWith(".jar") ? fileName.substring(0, fileName.length() - 4) : fileName;
        Map<String, Object> config = readConfig(fileName, jar.resolveSibling(baseName + ".json"));
        String id = stringField(fileName, baseName, config, "id", baseName);
        String version = stringField(fileName, baseName, config, "version", manifestVersion(fileName, jar));
        URLClassLoader loader = newLoader(baseName, jar);
        try {
            List<LoadedRule> rules = new ArrayList<>();
            for (Class<?> type : ruleClasses(fileName, loader, Rule.class)) {
                rules.add(newRule(id, version, RuleConfig.of(config), fileName, type, false));
            }
            for (Class<?> type : ruleClasses(fileName, loader, WindowedRule.class)) {
                rules.add(newRule(id, version, RuleConfig.of(config), fileName, type, true));
            }
            if (rules.isEmpty()) {
                throw new RuleLoadException("rule jar " + fileName + " has no rule: it needs a file META-INF/services/"
                        + Rule.class.getName() + " naming a class that implements " + Rule.class.getName() + ", or META-INF/services/"
                        + WindowedRule.class.getName() + " naming a class that implements " + WindowedRule.class.getName());
            }
            for (LoadedRule rule : rules) {
                rule.trial();
            }
            return new RuleJar(fileName, loader, rules);
        } catch (RuleLoadException | RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    /** The jar's file name, e.g. {@code fraud.jar}. */
    public String fileName() {
        return fileName;
    }

    /** The rules of this jar, in the order its services file lists them. */
    public List<LoadedRule> rules() {
        return rules;
    }

    @Override
    public void close() throws IOException {
        loader.close();
    }

    private static Map<String, Object> readConfig(String fileName, Path configFile) throws RuleLoadException {
        if (!Files.isRegularFile(configFile)) {
            return Map.of();
        }
        String where = "rule jar " + fileName + ": config " + configFile.getFileName();
        try {
            Object parsed = Json.parse(Files.readString(configFile, StandardCharsets.UTF_8));
            if (!(parsed instanceof Map)) {
                throw new RuleLoadException(where + " is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) parsed;
            return map;
        } catch (JsonException e) {
            throw new RuleLoadException(where + " is not valid JSON: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RuleLoadException(where + " cannot be read: " + e, e);
        }
    }

    private static String stringField(
            String fileName, String baseName, Map<String, Object> config, String field, String orElse)
            throws RuleLoadException {
        if (!config.containsKey(field)) {
            return orElse;
        }
        Object value = config.get(field);
        if (!(value instanceof String) || ((String) value).isBlank()) {
            throw new RuleLoadException("rule jar " + fileName + ": config " + baseName + ".json field '" + field
                    + "' must be a non-empty string, not " + value);
        }
        return (String) value;
    }

    private static String manifestVersion(String fileName, Path jar) throws RuleLoadException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String version = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return version == null || version.isBlank() ? UNVERSIONED : version.trim();
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + fileName + " is not a readable jar: " + e, e);
        }
    }

    private static URLClassLoader newLoader(String baseName, Path jar) throws RuleLoadException {
        try {
            return new URLClassLoader("rule:" + baseName, new URL[] {jar.toUri().toURL()}, RuleApiClassLoader.INSTANCE);
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + jar.getFileName() + ": " + e, e);
        }
    }

    /** The classes that the jar's services file for {@code service} lists and that the jar itself holds. */
    private static List<Class<?>> ruleClasses(String fileName, ClassLoader loader, Class<?> service) throws RuleLoadException {
        List<Class<?>> types = new ArrayList<>();
        try {
            Iterator<? extends ServiceLoader.Provider<?>> providers = ServiceLoader.load(service, loader).stream().iterator();
            while (providers.hasNext()) {
                Class<?> type = providers.next().type();
                if (type.getClassLoader() == loader) {
                    types.add(type);
                }
            }
        } catch (Throwable e) {
            Reasons.rethrowIfFatal(e);
            throw new RuleLoadException("rule jar " + fileName + ": a rule class could not be loaded: " + Reasons.of(e), e);
        }
        return types;
    }

    private static LoadedRule newRule(String id, String version, RuleConfig config, String fileName, Class<?> type,
            boolean windowed) throws RuleLoadException {
        try {
            return new LoadedRule(id, version, config, fileName, type, windowed);
        } catch (NoSuchMethodException e) {
            throw new RuleLoadException(
                    "rule jar " + fileName + ": rule " + type.getName() + " has no public no-argument constructor", e);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // the jar is refused anyway; the message that matters is the refusal
        }
    }
}
