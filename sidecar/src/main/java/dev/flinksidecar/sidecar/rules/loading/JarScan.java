package dev.flinksidecar.sidecar.rules.loading;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Reads every entry of a rule jar once, streaming, before anything loads from it: a jar whose
 * entries do not inflate or fail their CRC check (corrupt, or cut short) is refused as a whole,
 * instead of failing later on the one class that happens to be damaged; an entry that inflates past
 * the {@link JarLimits} (a zip bomb) is refused, named, as soon as it passes them; the references
 * of its classes to the rule API are collected for {@link ApiCompatibility}, the JDK calls they
 * make for {@link RefusedCalls}, and the class names its services files list for {@link RuleJar}.
 * Only a class's constant pool and a services file are ever held in memory.
 */
final class JarScan {

    private JarScan() {}

    private static final String SERVICES = "META-INF/services/";

    /**
     * What a rule jar holds.
     *
     * @param references its classes' references to the rule API
     * @param calls the JDK calls its classes make that need a {@link Capability}
     * @param services the class names each of its services files lists, by service (interface)
     *     name: in the file's order, without comments ({@code #} to the end of a line), blanks and
     *     repeats, as {@code java.util.ServiceLoader} reads them
     */
    record Contents(
            ClassReferences references, RefusedCalls calls, Map<String, List<String>> services) {

        /** The class names the jar's services file for {@code service} lists; empty without one. */
        List<String> providers(Class<?> service) {
            return services.getOrDefault(service.getName(), List.of());
        }
    }

    /**
     * @throws RuleLoadException "is not a readable jar" when its directory cannot be read, "is
     *     corrupt" naming the entry when one of them cannot be read back intact, "is refused"
     *     naming the entry and the limit when it inflates past one of {@code limits}
     */
    static Contents scan(String fileName, Path jar, JarLimits limits) throws RuleLoadException {
        ClassReferences refs = ApiCompatibility.references();
        RefusedCalls calls = new RefusedCalls();
        Map<String, List<String>> services = new HashMap<>();
        long inflated = 0;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                inflated += read(fileName, file, entry, limits, inflated, refs, calls, services);
            }
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + fileName + " is not a readable jar: " + e, e);
        }
        return new Contents(refs, calls, services);
    }

    /** Reads one entry through its {@link InflationGuard}; returns its inflated size. */
    private static long read(
            String fileName,
            JarFile file,
            JarEntry entry,
            JarLimits limits,
            long inflatedBefore,
            ClassReferences refs,
            RefusedCalls calls,
            Map<String, List<String>> services)
            throws RuleLoadException {
        String name = entry.getName();
        checkDeclaredSize(fileName, entry, limits);
        InflationGuard guard;
        try (InputStream in = file.getInputStream(entry)) {
            guard = new InflationGuard(in, name, entry.getCompressedSize(), limits, inflatedBefore);
            if (name.startsWith(SERVICES)) {
                byte[] text = guard.readNBytes(JarLimits.MAX_TEXT_BYTES + 1);
                if (text.length > JarLimits.MAX_TEXT_BYTES) {
                    throw tooLarge(
                            fileName,
                            "services file "
                                    + name
                                    + " is over "
                                    + JarLimits.MAX_TEXT_BYTES
                                    + " bytes");
                }
                services.put(name.substring(SERVICES.length()), providers(text));
            } else if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
                BufferedInputStream buffered = new BufferedInputStream(guard);
                ConstantPool pool;
                try {
                    pool = ConstantPool.read(buffered);
                } catch (InflationGuard.LimitPassed e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    throw new RuleLoadException(
                            "rule jar "
                                    + fileName
                                    + " is corrupt: entry "
                                    + name
                                    + " is not a valid class file: "
                                    + e.getMessage(),
                            e);
                }
                refs.add(pool);
                calls.add(pool);
            }
            guard.drain();
        } catch (InflationGuard.LimitPassed e) {
            throw tooLarge(fileName, e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new RuleLoadException(
                    "rule jar " + fileName + " is corrupt: entry " + name + " cannot be read: " + e,
                    e);
        }
        // ZipFile does not check the CRC; a flipped byte would load as a broken class
        if (entry.getCrc() != -1 && guard.crc() != entry.getCrc()) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + " is corrupt: entry "
                            + name
                            + " fails its CRC check (the jar was damaged or cut short)");
        }
        return guard.bytesRead();
    }

    /**
     * Refuses an entry whose sizes in the jar's directory already pass a limit, before inflating
     * any of it. The sizes may lie: {@link InflationGuard} counts what the entry really inflates
     * to.
     */
    private static void checkDeclaredSize(String fileName, JarEntry entry, JarLimits limits)
            throws RuleLoadException {
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        if (size > JarLimits.RATIO_FROM_BYTES
                && compressed > 0
                && size / compressed >= limits.maxEntryRatio()
                && size > compressed * limits.maxEntryRatio()) {
            throw tooLarge(
                    fileName,
                    "entry "
                            + entry.getName()
                            + " inflates from "
                            + compressed
                            + " to "
                            + size
                            + " bytes, a ratio of "
                            + size / compressed
                            + ", over the limit of "
                            + limits.maxEntryRatio()
                            + " (a zip bomb? "
                            + JarLimits.MAX_ENTRY_RATIO_OPTION
                            + ")");
        }
        if (size > limits.maxEntryBytes()) {
            throw tooLarge(
                    fileName,
                    "entry "
                            + entry.getName()
                            + " is "
                            + size
                            + " bytes inflated, over the limit of "
                            + limits.maxEntryBytes()
                            + " bytes for one entry ("
                            + JarLimits.MAX_ENTRY_BYTES_OPTION
                            + ")");
        }
    }

    private static RuleLoadException tooLarge(String fileName, String what) {
        return new RuleLoadException("rule jar " + fileName + " refused: " + what);
    }

    private static List<String> providers(byte[] servicesFile) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : new String(servicesFile, StandardCharsets.UTF_8).split("\n")) {
            int comment = line.indexOf('#');
            String name = (comment >= 0 ? line.substring(0, comment) : line).strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }
}
