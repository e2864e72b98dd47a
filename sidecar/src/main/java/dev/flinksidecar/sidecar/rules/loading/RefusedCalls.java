package dev.flinksidecar.sidecar.rules.loading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JDK calls a rule jar's classes may not make unless its config allows their {@link
 * Capability}, found in each class's constant pool ({@link ConstantPool}) while the jar is scanned,
 * before any of its code loads. This is a check of what the code names, not a sandbox: reflection
 * and method handles looked up by name reach around it (README, "What the sidecar protects
 * against").
 *
 * <p>One instance per scanned jar; not thread-safe.
 */
final class RefusedCalls {

    /** Refused calls listed in a refusal's detail; a jar with a bundled library may have many. */
    private static final int MAX_LISTED = 20;

    /** A refused reference: {@code name} null means any use of the class {@code owner}. */
    private record Target(String owner, String name, Capability capability) {}

    private static final List<Target> TARGETS =
            List.of(
                    new Target("java/lang/System", "exit", Capability.EXIT),
                    new Target("java/lang/Runtime", "exit", Capability.EXIT),
                    new Target("java/lang/Runtime", "halt", Capability.EXIT),
                    new Target("java/lang/Runtime", "exec", Capability.PROCESSES),
                    new Target("java/lang/ProcessBuilder", null, Capability.PROCESSES),
                    new Target("java/lang/ProcessHandle", "destroy", Capability.PROCESSES),
                    new Target("java/lang/ProcessHandle", "destroyForcibly", Capability.PROCESSES),
                    new Target("java/lang/System", "load", Capability.NATIVE),
                    new Target("java/lang/System", "loadLibrary", Capability.NATIVE),
                    new Target("java/lang/Runtime", "load", Capability.NATIVE),
                    new Target("java/lang/Runtime", "loadLibrary", Capability.NATIVE),
                    new Target("sun/misc/Unsafe", null, Capability.UNSAFE),
                    new Target("jdk/internal/misc/Unsafe", null, Capability.UNSAFE),
                    new Target("java/lang/Thread", "<init>", Capability.THREADS),
                    new Target("java/lang/Thread", "start", Capability.THREADS),
                    new Target("java/lang/Thread", "startVirtualThread", Capability.THREADS),
                    new Target("java/lang/Thread", "ofPlatform", Capability.THREADS),
                    new Target("java/lang/Thread", "ofVirtual", Capability.THREADS),
                    new Target("java/util/concurrent/Executors", null, Capability.THREADS),
                    new Target(
                            "java/util/concurrent/ThreadPoolExecutor",
                            "<init>",
                            Capability.THREADS),
                    new Target(
                            "java/util/concurrent/ScheduledThreadPoolExecutor",
                            "<init>",
                            Capability.THREADS),
                    new Target("java/util/concurrent/ForkJoinPool", "<init>", Capability.THREADS),
                    new Target("java/util/Timer", "<init>", Capability.THREADS));

    /** One call a class makes, e.g. class {@code com.acme.Fraud} calls {@code System.exit}. */
    record Use(String className, String what, Capability capability) {

        /** E.g. {@code class com.acme.Fraud calls java.lang.System.exit}. */
        @Override
        public String toString() {
            return "class " + className + " " + what;
        }
    }

    /** Per class and what it does, in the order found. */
    private final Map<String, Use> uses = new LinkedHashMap<>();

    /** Notes the refused references of one class. */
    void add(ConstantPool pool) {
        String className = pool.thisClass().replace('/', '.');
        for (ConstantPool.MemberRef ref : pool.members()) {
            for (Target target : TARGETS) {
                if (target.owner.equals(ref.owner())
                        && (target.name == null || target.name.equals(ref.name()))) {
                    String owner = ref.owner().replace('/', '.');
                    note(
                            new Use(
                                    className,
                                    ref.name().equals("<init>")
                                            ? "creates a " + owner
                                            : "calls " + owner + "." + ref.name(),
                                    target.capability));
                }
            }
        }
        for (String name : pool.classes()) {
            for (Target target : TARGETS) {
                if (target.name == null && target.owner.equals(name)) {
                    note(new Use(className, "uses " + name.replace('/', '.'), target.capability));
                }
            }
        }
    }

    private void note(Use use) {
        uses.putIfAbsent(use.className + " " + use.what, use);
    }

    /** What the jar's classes call that {@code allowed} does not cover, in the order found. */
    List<Use> refused(Set<Capability> allowed) {
        List<Use> refused = new ArrayList<>();
        for (Use use : uses.values()) {
            if (!use.capability.allowable() || !allowed.contains(use.capability)) {
                refused.add(use);
            }
        }
        return refused;
    }

    /**
     * Refuses the jar when it calls what {@code allowed} does not cover, naming the first class and
     * call; the detail lists them all.
     */
    void check(String fileName, Set<Capability> allowed) throws RuleLoadException {
        List<Use> refused = refused(allowed);
        if (refused.isEmpty()) {
            return;
        }
        Use first = refused.get(0);
        StringBuilder detail = new StringBuilder();
        for (Use use : refused.subList(0, Math.min(refused.size(), MAX_LISTED))) {
            detail.append("refused: ").append(use).append(" (").append(why(use)).append(")\n");
        }
        if (refused.size() > MAX_LISTED) {
            detail.append("and ").append(refused.size() - MAX_LISTED).append(" more\n");
        }
        throw new RuleLoadException(
                "rule jar "
                        + fileName
                        + " refused: "
                        + first
                        + " ("
                        + why(first)
                        + ")"
                        + (refused.size() > 1 ? " and " + (refused.size() - 1) + " more" : ""),
                detail.toString(),
                null);
    }

    private static String why(Use use) {
        String name = use.capability.configName();
        return use.capability.allowable()
                ? "capability '"
                        + name
                        + "'; a rule config allows it with \"allow\": [\""
                        + name
                        + "\"]"
                : "capability '" + name + "', which no rule may have";
    }
}
