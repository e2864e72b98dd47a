package dev.flinksidecar.sidecar.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * Reads every entry of a rule jar once, before anything loads from it: a jar whose entries do
 * not inflate or fail their CRC check (corrupt, or cut short) is refused as a whole, instead of
 * failing later on the one class that happens to be damaged; and the references of its classes
 * to the rule API are collected for {@link ApiCompatibility}.
 */
final class JarScan {

    private JarScan() {}

    /**
     * @return the jar's references to the rule API
     * @throws RuleLoadException "is not a readable jar" when its directory cannot be read,
     *     "is corrupt" naming the entry when one of them cannot be read back intact
     */
    static ClassReferences scan(String fileName, Path jar) throws RuleLoadException {
        ClassReferences refs = ApiCompatibility.references();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                byte[] bytes = read(fileName, file, entry);
                if (entry.getName().endsWith(".class") && !entry.getName().endsWith("module-info.class")) {
                    try {
                        refs.add(bytes);
                    } catch (IOException | RuntimeException e) {
                        throw new RuleLoadException("rule jar " + fileName + " is corrupt: entry " + entry.getName()
                                + " is not a valid class file: " + e.getMessage(), e);
                    }
                }
            }
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + fileName + " is not a readable jar: " + e, e);
        }
        return refs;
    }

    private static byte[] read(String fileName, JarFile file, JarEntry entry) throws RuleLoadException {
        byte[] bytes;
        try (InputStream in = file.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new RuleLoadException("rule jar " + fileName + " is corrupt: entry " + entry.getName() + " cannot be read: " + e, e);
        }
        CRC32 crc = new CRC32(); // ZipFile does not check it; a flipped byte would load as a broken class
        crc.update(bytes);
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new RuleLoadException("rule jar " + fileName + " is corrupt: entry " + entry.getName()
                    + " fails its CRC check (the jar was damaged or cut short)");
        }
        return bytes;
    }
}
