package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.rule.testing.RuleJarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Rule files a careless or hostile author might hand the sidecar, built at test time: rules that
 * call what a rule may not ({@link #CALLERS}), a zip bomb written streaming (the test never holds
 * its inflated bytes), a config nested far too deep.
 */
public final class UntrustedRuleFiles {

    private UntrustedRuleFiles() {}

    /**
     * A rule that would make a call a rule may not: {@code className} in {@code source}, which the
     * refusal names with {@code call}; allowed by {@code capability} (null: never).
     */
    public record Caller(String className, String source, String call, String capability) {

        /** The rule's jar, {@code NAME.jar} with NAME the class's simple name in lower case. */
        public Path jar(Path dir) throws IOException {
            return RuleJarBuilder.jar(name())
                    .version("1.0.0")
                    .source(source)
                    .rules("testrules." + className)
                    .writeTo(dir);
        }

        /** The jar's base name. */
        public String name() {
            return className.toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return className + " (" + call + ")";
        }
    }

    /** A per-event rule whose never-called method {@code sneak} holds {@code body}. */
    private static String rule(String className, String body) {
        return "package testrules;\n"
                + "import dev.flinksidecar.rule.*;\n"
                + "public final class "
                + className
                + " implements Rule {\n"
                + "  public void onEvent(Event event, ResultCollector out) { out.emit(Result.of(event)); }\n"
                + "  private void sneak() throws Exception {\n"
                + "    "
                + body
                + "\n"
                + "  }\n"
                + "}\n";
    }

    private static Caller caller(String className, String body, String call, String capability) {
        return new Caller(className, rule(className, body), call, capability);
    }

    /** One rule for each call the sidecar refuses by default. */
    public static final List<Caller> CALLERS =
            List.of(
                    caller("Exits", "System.exit(3);", "calls java.lang.System.exit", null),
                    caller(
                            "ExitsByReference",
                            "java.util.function.IntConsumer exit = System::exit; exit.accept(3);",
                            "calls java.lang.System.exit",
                            null),
                    caller(
                            "Halts",
                            "Runtime.getRuntime().halt(3);",
                            "calls java.lang.Runtime.halt",
                            null),
                    caller(
                            "RuntimeExits",
                            "Runtime.getRuntime().exit(3);",
                            "calls java.lang.Runtime.exit",
                            null),
                    caller(
                            "Execs",
                            "Runtime.getRuntime().exec(new String[] {\"true\"});",
                            "calls java.lang.Runtime.exec",
                            "processes"),
                    caller(
                            "Spawns",
                            "new ProcessBuilder(\"true\").start();",
                            "creates a java.lang.ProcessBuilder",
                            "processes"),
                    caller(
                            "LoadsLibrary",
                            "System.loadLibrary(\"fraud\");",
                            "calls java.lang.System.loadLibrary",
                            "native"),
                    caller(
                            "LoadsFile",
                            "System.load(\"/tmp/libfraud.so\");",
                            "calls java.lang.System.load",
                            "native"),
                    caller(
                            "RuntimeLoads",
                            "Runtime.getRuntime().loadLibrary(\"fraud\");",
                            "calls java.lang.Runtime.loadLibrary",
                            "native"),
                    caller(
                            "Unsafe",
                            "sun.misc.Unsafe unsafe = null; unsafe.allocateMemory(8);",
                            "calls sun.misc.Unsafe.allocateMemory",
                            "unsafe"),
                    caller(
                            "Threads",
                            "new Thread(() -> {}).start();",
                            "creates a java.lang.Thread",
                            "threads"),
                    caller(
                            "Pools",
                            "java.util.concurrent.Executors.newSingleThreadExecutor();",
                            "calls java.util.concurrent.Executors.newSingleThreadExecutor",
                            "threads"));

    /**
     * Writes {@code dir/NAME.jar}: the rule jar {@code rule} with one more entry, {@code
     * data/zeros.bin}, of {@code inflatedBytes} zero bytes, deflated. Written streaming: neither
     * the test nor the jar's writer holds the zeros.
     */
    public static Path zipBomb(Path dir, String name, byte[] rule, long inflatedBytes)
            throws IOException {
        Path jar = dir.resolve(name + ".jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarInputStream in = new JarInputStream(new ByteArrayInputStream(rule));
                JarOutputStream out = new JarOutputStream(file, in.getManifest())) {
            for (JarEntry entry = in.getNextJarEntry();
                    entry != null;
                    entry = in.getNextJarEntry()) {
                out.putNextEntry(new JarEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("data/zeros.bin"));
            byte[] zeros = new byte[1024 * 1024];
            for (long left = inflatedBytes; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            out.closeEntry();
        }
        return jar;
    }

    /**
     * Writes {@code dir/NAME.jar}: the rule jar {@code rule} with one more entry, {@code
     * data/stored.bin}, of {@code bytes} bytes stored uncompressed (a ratio of 1, and a jar file
     * that large).
     */
    public static Path withStoredEntry(Path dir, String name, byte[] rule, int bytes)
            throws IOException {
        Path jar = dir.resolve(name + ".jar");
        byte[] data = new byte[bytes];
        new Random(7).nextBytes(data);
        CRC32 crc = new CRC32();
        crc.update(data);
        try (OutputStream file = Files.newOutputStream(jar);
                JarInputStream in = new JarInputStream(new ByteArrayInputStream(rule));
                JarOutputStream out = new JarOutputStream(file, in.getManifest())) {
            for (JarEntry entry = in.getNextJarEntry();
                    entry != null;
                    entry = in.getNextJarEntry()) {
                out.putNextEntry(new JarEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            ZipEntry stored = new ZipEntry("data/stored.bin");
            stored.setMethod(ZipEntry.STORED);
            stored.setSize(bytes);
            stored.setCompressedSize(bytes);
            stored.setCrc(crc.getValue());
            out.putNextEntry(stored);
            out.write(data);
            out.closeEntry();
        }
        return jar;
    }

    /**
     * Rewrites the inflated size that the jar's central directory gives for {@code entry} to {@code
     * size}: a jar that lies about what an entry inflates to.
     */
    public static void understateSize(Path jar, String entry, int size) throws IOException {
        byte[] bytes = Files.readAllBytes(jar);
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 + name.length <= bytes.length; i++) {
            if (buffer.getInt(i) == 0x02014b50
                    && buffer.getShort(i + 28) == name.length
                    && Arrays.equals(bytes, i + 46, i + 46 + name.length, name, 0, name.length)) {
                buffer.putInt(i + 24, size); // the central header's uncompressed size
                Files.write(jar, bytes);
                return;
            }
        }
        throw new IllegalArgumentException("no central directory entry " + entry + " in " + jar);
    }

    /** A rule config {@code {"nested": [[[...]]]}} with arrays {@code depth} deep. */
    public static String deepConfig(int depth) {
        return "{\"nested\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
    }
}
