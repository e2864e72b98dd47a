package dev.flinksidecar.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The sidecar's software version: the {@code Implementation-Version} of the sidecar jar's manifest,
 * else (classes not from the jar: tests, an IDE) {@code sidecar-version.properties}, which the
 * build fills in too. The manifest first: the JVM has it at hand (with the class data sharing
 * archive, without opening the jar), while a resource makes the class loader open and index the
 * 5,000 entries of the jar, about 10 ms of the start (BENCHMARKS.md, StartupFootprint).
 */
public final class SidecarVersion {

    private static final String VERSION = read();

    private SidecarVersion() {}

    /** E.g. {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        String fromManifest = SidecarVersion.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        try (InputStream in =
                SidecarVersion.class.getResourceAsStream("/sidecar-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String version = properties.getProperty("version", "");
            return version.isEmpty() || version.startsWith("${") ? "dev" : version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
