package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.rule.RuleApi;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a rule jar fits this sidecar's rule API ({@link RuleApi#VERSION}), decided before any of
 * its code runs, so that a jar built for another API is refused with a message instead of failing
 * with a {@link LinkageError} on some event:
 *
 * <ol>
 *   <li>the manifest's {@code Rule-Api-Version}, when present, must have this API's major version;
 *   <li>every class, field and method of {@code dev.flinksidecar.rule} that the jar's classes refer
 *       to must exist here with the same signature ({@link ClassReferences});
 *   <li>every rule class must implement every abstract method of its rule interface.
 * </ol>
 *
 * Thread-safe; lookups of the API's members are cached, the API being fixed for the JVM.
 */
final class ApiCompatibility {

    private static final String PREFIX = RuleApiClassLoader.SHARED_PREFIX.replace('.', '/');
    private static final int MAX_LISTED = 20;

    /** Whether each API member a jar used exists. */
    private static final Map<ClassReferences.Member, Boolean> KNOWN_MEMBERS =
            new ConcurrentHashMap<>();

    /** API class names known to be missing. */
    private static final Set<String> MISSING_CLASSES = ConcurrentHashMap.newKeySet();

    private ApiCompatibility() {}

    /** A collector of the jar's references to the rule API package. */
    static ClassReferences references() {
        return new ClassReferences(PREFIX);
    }

    /** Checks the manifest attribute {@code apiVersion} (null: absent, nothing to check). */
    static void checkManifest(String fileName, String apiVersion) throws RuleLoadException {
        if (apiVersion == null) {
            return;
        }
        String major = apiVersion.split("\\.", 2)[0].trim();
        if (!major.matches("\\d+")) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + ": manifest attribute "
                            + RuleApi.MANIFEST_ATTRIBUTE
                            + " '"
                            + apiVersion
                            + "' is not a version like "
                            + RuleApi.VERSION);
        }
        if (Integer.parseInt(major) != RuleApi.MAJOR) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + " is incompatible: it was built for rule API "
                            + apiVersion
                            + ", and this sidecar runs rule API "
                            + RuleApi.VERSION
                            + " (another major version); rebuild it against rule-api "
                            + RuleApi.MAJOR
                            + ".x");
        }
    }

    /** Checks that everything {@code refs} names exists in this API. */
    static void checkReferences(String fileName, ClassReferences refs) throws RuleLoadException {
        List<String> missing = new ArrayList<>();
        for (String name : refs.classes) {
            if (apiClass(name) == null) {
                missing.add("class " + name.replace('/', '.'));
            }
        }
        for (ClassReferences.Member member : refs.members) {
            Class<?> owner = apiClass(member.owner);
            if (owner != null && !KNOWN_MEMBERS.computeIfAbsent(member, m -> exists(owner, m))) {
                missing.add((member.method ? "method " : "field ") + Descriptors.describe(member));
            }
        }
        if (!missing.isEmpty()) {
            throw incompatible(fileName, missing);
        }
    }

    /** Checks that {@code type} implements every abstract method of {@code service}. */
    static void checkImplements(String fileName, Class<?> type, Class<?> service)
            throws RuleLoadException {
        List<String> missing = new ArrayList<>();
        for (Method method : service.getMethods()) {
            if (!Modifier.isAbstract(method.getModifiers())) {
                continue;
            }
            try {
                Method found = type.getMethod(method.getName(), method.getParameterTypes());
                if (Modifier.isAbstract(found.getModifiers())) {
                    missing.add(
                            "method "
                                    + Descriptors.describe(method)
                                    + " is not implemented by "
                                    + type.getName());
                }
            } catch (NoSuchMethodException e) {
                missing.add(
                        "method "
                                + Descriptors.describe(method)
                                + " is not implemented by "
                                + type.getName());
            }
        }
        if (!missing.isEmpty()) {
            throw incompatible(fileName, missing);
        }
    }

    private static RuleLoadException incompatible(String fileName, List<String> missing) {
        String first = missing.get(0);
        String message =
                "rule jar "
                        + fileName
                        + " is incompatible with this sidecar's rule API "
                        + RuleApi.VERSION
                        + ": it uses "
                        + first
                        + (first.contains(" is not ") ? "" : ", which this API does not have")
                        + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : "")
                        + "; was it compiled against another rule-api version?";
        StringBuilder detail = new StringBuilder();
        missing.stream()
                .limit(MAX_LISTED)
                .forEach(m -> detail.append("missing: ").append(m).append('\n'));
        return new RuleLoadException(message, detail.toString(), null);
    }

    private static Class<?> apiClass(String internalName) {
        String name = internalName.replace('/', '.');
        if (MISSING_CLASSES.contains(name)) {
            return null;
        }
        try {
            return Class.forName(name, false, RuleApiClassLoader.INSTANCE);
        } catch (ClassNotFoundException | LinkageError e) {
            MISSING_CLASSES.add(name);
            return null;
        }
    }

    private static boolean exists(Class<?> owner, ClassReferences.Member member) {
        if (member.method && member.name.equals("<init>")) {
            for (Constructor<?> c : owner.getDeclaredConstructors()) {
                if (MethodType.methodType(void.class, c.getParameterTypes())
                        .toMethodDescriptorString()
                        .equals(member.descriptor)) {
                    return true;
                }
            }
            return false;
        }
        Deque<Class<?>> types = new ArrayDeque<>(List.of(owner));
        while (!types.isEmpty()) {
            Class<?> type = types.pop();
            if (member.method ? declaresMethod(type, member) : declaresField(type, member)) {
                return true;
            }
            if (type.getSuperclass() != null) {
                types.add(type.getSuperclass());
            }
            types.addAll(List.of(type.getInterfaces()));
        }
        return false;
    }

    private static boolean declaresMethod(Class<?> type, ClassReferences.Member member) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().equals(member.name)
                    && MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                            .toMethodDescriptorString()
                            .equals(member.descriptor)) {
                return true;
            }
        }
        return false;
    }

    private static boolean declaresField(Class<?> type, ClassReferences.Member member) {
        for (Field f : type.getDeclaredFields()) {
            if (f.getName().equals(member.name)
                    && f.getType().descriptorString().equals(member.descriptor)) {
                return true;
            }
        }
        return false;
    }
}
