package dev.flinksidecar.sidecar.rules.loading;

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
import java.util.zip.CRC32;

/**
 * Reads every entry of a rule jar once, before anything loads from it: a jar whose entries do not
 * inflate or fail their CRC check (corrupt, or cut short) is refused as a whole, instead of failing
 * later on the one class that happens to be damaged; the references of its classes to the rule API
 * are collected for {@link ApiCompatibility}, and the class names its services files list for
 * {@link RuleJar}.
 */
final class JarScan {

    private JarScan() {}

    private static final String SERVICES = "META-INF/services/";

    /**
     * What a rule jar holds.
     *
     * @param references its classes' references to the rule API
     * @param services the class names each of its services files lists, by service (interface)
     *     name: in the file's order, without comments ({@code #} to the end of a line), blanks and
     *     repeats, as {@code java.util.ServiceLoader} reads them
     */
    record Contents(ClassReferences references, Map<String, List<String>> services) {

        /** The class names the jar's services file for {@code service} lists; empty without one. */
        List<String> providers(Class<?> service) {
            return services.getOrDefault(service.getName(), List.of());
        }
    }

    /**
     * @throws RuleLoadException "is not a readable jar" when its directory cannot be read, "is
     *     corrupt" naming the entry when one of them cannot be read back intact
     */
    static Contents scan(String fileName, Path jar) throws RuleLoadException {
        ClassReferences refs = ApiCompatibility.references();
        Map<String, List<String>> services = new HashMap<>();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                byte[] bytes = read(fileName, file, entry);
                if (entry.getName().startsWith(SERVICES)) {
                    services.put(entry.getName().substring(SERVICES.length()), providers(bytes));
                } else if (entry.getName().endsWith(".class")
                        && !entry.getName().endsWith("module-info.class")) {
                    try {
                        refs.add(bytes);
                    } catch (IOException | RuntimeException e) {
                        throw new RuleLoadException(
                                "rule jar "
                                        + fileName
                                        + " is corrupt: entry "
                                        + entry.getName()
                                        + " is not a valid class file: "
                                        + e.getMessage(),
                                e);
                    }
                }
            }
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + fileName + " is not a readable jar: " + e, e);
        }
        return new Contents(refs, services);
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

    private static byte[] read(String fileName, JarFile file, JarEntry entry)
            throws RuleLoadException {
        byte[] bytes;
        try (InputStream in = file.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + " is corrupt: entry "
                            + entry.getName()
                            + " cannot be read: "
                            + e,
                    e);
        }
        CRC32 crc = new CRC32(); // ZipFile does not check it; a flipped byte would load as a broken
        // class
        crc.update(bytes);
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + " is corrupt: entry "
                            + entry.getName()
                            + " fails its CRC check (the jar was damaged or cut short)");
        }
        return bytes;
    }
}
