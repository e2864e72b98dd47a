package dev.flinksidecar.sidecar.unload;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds what keeps a retired rule classloader alive, where the JVM lets us look: the usual ways a
 * rule leaks its loader are a thread it started (which runs its code and has its loader as context
 * classloader), a thread-local value of one of its classes left on a shared thread, a shutdown
 * hook, and a JDBC driver it registered.
 *
 * <p>Threads, their context loaders and stacks are public API. Thread-locals, shutdown hooks and
 * drivers live in private JDK fields: they are read by reflection, which needs {@code --add-opens
 * java.base/java.lang=ALL-UNNAMED --add-opens java.sql/java.sql=ALL-UNNAMED} (the sidecar jar's
 * manifest has them); without, the report says it could not look.
 *
 * <p>Any thread; costly (walks every thread), so only for loaders already overdue.
 */
final class LoaderHolders {

    private LoaderHolders() {}

    /** One line per holder found; never null. */
    static List<String> describe(ClassLoader loader) {
        List<String> holders = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> thread :
                Thread.getAllStackTraces().entrySet()) {
            thread(loader, thread.getKey(), thread.getValue(), holders);
        }
        shutdownHooks(loader, holders);
        jdbcDrivers(loader, holders);
        return holders;
    }

    private static void thread(
            ClassLoader loader, Thread thread, StackTraceElement[] stack, List<String> holders) {
        String name = "thread '" + thread.getName() + "'";
        List<String> why = new ArrayList<>();
        if (thread.getContextClassLoader() == loader) {
            why.add("its context classloader is the rule's");
        }
        if (from(thread.getClass(), loader)) {
            why.add("its class " + thread.getClass().getName() + " is the rule's");
        }
        Object target = read(Thread.class, "target", thread);
        if (target != null && from(target.getClass(), loader)) {
            why.add("it runs " + target.getClass().getName() + " of the rule");
        }
        for (StackTraceElement frame : stack) {
            if (loader.getName() != null && loader.getName().equals(frame.getClassLoaderName())) {
                why.add(
                        "it is running rule code at "
                                + frame.getClassName()
                                + "."
                                + frame.getMethodName());
                break;
            }
        }
        if (!why.isEmpty()) {
            holders.add(
                    name
                            + " ("
                            + (thread.isDaemon() ? "daemon, " : "")
                            + String.join("; ", why)
                            + ")");
        }
        threadLocals(loader, thread, name, holders);
    }

    private static void threadLocals(
            ClassLoader loader, Thread thread, String name, List<String> holders) {
        for (String field : new String[] {"threadLocals", "inheritableThreadLocals"}) {
            Object map = read(Thread.class, field, thread);
            Object[] table = map == null ? null : (Object[]) read(map.getClass(), "table", map);
            if (table == null) {
                continue;
            }
            for (Object entry : table) {
                Object value = entry == null ? null : read(entry.getClass(), "value", entry);
                if (value != null && from(value.getClass(), loader)) {
                    holders.add(
                            name
                                    + " holds a thread-local value of class "
                                    + value.getClass().getName()
                                    + " from the rule");
                }
            }
        }
    }

    private static void shutdownHooks(ClassLoader loader, List<String> holders) {
        try {
            Class<?> hooks = Class.forName("java.lang.ApplicationShutdownHooks");
            Object map = read(hooks, "hooks", null);
            if (map == null) {
                holders.add(
                        "(shutdown hooks not inspected: run with --add-opens java.base/java.lang=ALL-UNNAMED)");
                return;
            }
            for (Object hook : ((Map<?, ?>) map).keySet()) {
                Thread thread = (Thread) hook;
                Object target = read(Thread.class, "target", thread);
                if (thread.getContextClassLoader() == loader
                        || from(thread.getClass(), loader)
                        || (target != null && from(target.getClass(), loader))) {
                    holders.add(
                            "shutdown hook '"
                                    + thread.getName()
                                    + "' (registered by the rule with Runtime.addShutdownHook)");
                }
            }
        } catch (ClassNotFoundException | RuntimeException e) {
            holders.add("(shutdown hooks not inspected: " + e + ")");
        }
    }

    private static void jdbcDrivers(ClassLoader loader, List<String> holders) {
        try {
            Class<?> manager = Class.forName("java.sql.DriverManager");
            Object drivers = read(manager, "registeredDrivers", null);
            if (drivers == null) {
                return; // java.sql not opened, or no driver was ever registered
            }
            for (Object info : (Collection<?>) drivers) {
                Object driver = read(info.getClass(), "driver", info);
                if (driver != null && from(driver.getClass(), loader)) {
                    holders.add(
                            "JDBC driver "
                                    + driver.getClass().getName()
                                    + " registered with java.sql.DriverManager by the rule");
                }
            }
        } catch (ClassNotFoundException | RuntimeException e) {
            holders.add("(JDBC drivers not inspected: " + e + ")");
        }
    }

    /** True when {@code type} (or, for arrays, its element type) was defined by {@code loader}. */
    private static boolean from(Class<?> type, ClassLoader loader) {
        Class<?> t = type;
        while (t.isArray()) {
            t = t.getComponentType();
        }
        return t.getClassLoader() == loader;
    }

    /** A private field's value, or null when it cannot be read (the module is not opened). */
    private static Object read(Class<?> owner, String field, Object instance) {
        try {
            Field f = owner.getDeclaredField(field);
            f.setAccessible(true);
            return f.get(instance);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
