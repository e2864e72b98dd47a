package dev.flinksidecar.rule.testing;

import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.WindowedRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a rule jar at test time from Java sources compiled against the rule API only, with its
 * services files, manifest attributes and extra resources (a self-test, say).
 *
 * <pre>{@code
 * RuleJarBuilder.jar("fraud").version("1.2.0").source(FRAUD).rules("testrules.Fraud").writeTo(dir);
 * }</pre>
 *
 * {@link #leaveOut} drops compiled classes of a package from the jar: compiling a changed copy of a
 * rule-API type along with a rule, then leaving it out, gives a jar "compiled against another rule
 * API".
 */
public final class RuleJarBuilder {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern TYPE =
            Pattern.compile("public (?:final |abstract )?(?:class|interface|enum) (\\w+)");

    private final String name;
    private final List<String> sources = new ArrayList<>();
    private final List<String> rules = new ArrayList<>();
    private final List<String> windowedRules = new ArrayList<>();
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final List<String> leftOut = new ArrayList<>();

    private RuleJarBuilder(String name) {
        this.name = name;
    }

    /** A jar that {@link #writeTo} writes as {@code NAME.jar}. */
    public static RuleJarBuilder jar(String name) {
        return new RuleJarBuilder(name);
    }

    /** The manifest's Implementation-Version. */
    public RuleJarBuilder version(String version) {
        return manifest(Attributes.Name.IMPLEMENTATION_VERSION.toString(), version);
    }

    public RuleJarBuilder manifest(String attribute, String value) {
        manifest.put(attribute, value);
        return this;
    }

    /** Java sources, each one public top-level type. */
    public RuleJarBuilder source(String... javaSources) {
        sources.addAll(List.of(javaSources));
        return this;
    }

    public RuleJarBuilder sources(List<String> javaSources) {
        sources.addAll(javaSources);
        return this;
    }

    /** Per-event rule classes for {@code META-INF/services/dev.flinksidecar.rule.Rule}. */
    public RuleJarBuilder rules(String... classNames) {
        rules.addAll(List.of(classNames));
        return this;
    }

    /** Windowed rule classes for {@code META-INF/services/dev.flinksidecar.rule.WindowedRule}. */
    public RuleJarBuilder windowedRules(String... classNames) {
        windowedRules.addAll(List.of(classNames));
        return this;
    }

    /** A resource of the jar, e.g. {@code META-INF/sidecar/selftest.jsonl}. */
    public RuleJarBuilder resource(String path, String text) {
        resources.put(path, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /**
     * Leaves the compiled classes under {@code packagePrefix} (e.g. {@code dev/flinksidecar/rule/})
     * out of the jar.
     */
    public RuleJarBuilder leaveOut(String packagePrefix) {
        leftOut.add(packagePrefix);
        return this;
    }

    /** Writes {@code dir/NAME.jar}. */
    public Path writeTo(Path dir) throws IOException {
        return Files.write(dir.resolve(name + ".jar"), bytes());
    }

    /** The jar's bytes. */
    public byte[] bytes() throws IOException {
        Path work = Files.createTempDirectory("rulebuild");
        try {
            Path classes = Files.createDirectories(work.resolve("classes"));
            if (!sources.isEmpty()) {
                compile(work.resolve("src"), classes);
            }
            return pack(classes);
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path file :
                        walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(file);
                }
            }
        }
    }

    private void compile(Path src, Path classes) throws IOException {
        List<String> files =
                new ArrayList<>(
                        List.of(
                                "-d",
                                classes.toString(),
                                "-classpath",
                                ruleApiLocation(),
                                "--release",
                                "17",
                                "-implicit:none"));
        for (String source : sources) {
            Matcher pkg = PACKAGE.matcher(source);
            Matcher type = TYPE.matcher(source);
            if (!pkg.find() || !type.find()) {
                throw new IllegalArgumentException(
                        "a source needs a package and a public type: " + source);
            }
            Path file =
                    src.resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            files.add(file.toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (compiler.run(null, errors, errors, files.toArray(new String[0])) != 0) {
            throw new IllegalStateException(
                    "could not compile test rule "
                            + name
                            + ": "
                            + errors.toString(StandardCharsets.UTF_8));
        }
    }

    private byte[] pack(Path classes) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach(
                (key, value) -> mf.getMainAttributes().put(new Attributes.Name(key), value));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file :
                    walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                String entry = classes.relativize(file).toString().replace('\\', '/');
                if (leftOut.stream().noneMatch(entry::startsWith)) {
                    put(jar, entry, Files.readAllBytes(file));
                }
            }
            if (!rules.isEmpty()) {
                put(
                        jar,
                        "META-INF/services/" + Rule.class.getName(),
                        (String.join("\n", rules) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!windowedRules.isEmpty()) {
                put(
                        jar,
                        "META-INF/services/" + WindowedRule.class.getName(),
                        (String.join("\n", windowedRules) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
                put(jar, resource.getKey(), resource.getValue());
            }
        }
        return bytes.toByteArray();
    }

    /**
     * A copy of {@code jar} with one byte flipped inside the compressed data of {@code entry}
     * (found after its local header: the 30 bytes of the header, its name, and the empty extra
     * field JarOutputStream writes), so the entry fails to inflate or its CRC check.
     */
    public static byte[] damaged(byte[] jar, String entry) {
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        byte[] copy = jar.clone();
        outer:
        for (int i = 30; i <= copy.length - name.length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (copy[i + j] != name[j]) {
                    continue outer;
                }
            }
            copy[i + name.length + 10] ^= 0x5a;
            return copy;
        }
        throw new IllegalArgumentException("no entry " + entry);
    }

    private static void put(JarOutputStream jar, String entry, byte[] content) throws IOException {
        jar.putNextEntry(new JarEntry(entry));
        jar.write(content);
        jar.closeEntry();
    }

    private static String ruleApiLocation() {
        try {
            return Path.of(Rule.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
