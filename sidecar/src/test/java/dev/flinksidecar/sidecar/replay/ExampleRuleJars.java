package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.sidecar.TestingPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The example rules of {@code examples/} ({@code threshold}, {@code windowed-aggregate}) as real
 * rule jars, built at test time from their own sources and resources against the rule API (the
 * examples module builds after this one), with a config of the test's choosing beside each.
 */
final class ExampleRuleJars {

    private ExampleRuleJars() {}

    /**
     * Writes {@code rules/NAME.jar}, the example {@code example} (e.g. {@code threshold}) built
     * from {@code examples/EXAMPLE/src/main}, version 1.0.0, and {@code rules/NAME.json} with
     * {@code configJson}.
     */
    static Path write(Path rules, String example, String name, String configJson)
            throws IOException {
        Files.createDirectories(rules);
        Files.writeString(rules.resolve(name + ".json"), configJson);
        Path module =
                TestingPaths.projectRoot().resolve("examples").resolve(example).resolve("src/main");
        Path work = Files.createTempDirectory("example-rule");
        try {
            Path classes = Files.createDirectories(work.resolve("classes"));
            compile(module.resolve("java"), classes);
            copyTree(module.resolve("resources"), classes);
            return pack(classes, rules.resolve(name + ".jar"));
        } finally {
            delete(work);
        }
    }

    private static void compile(Path sources, Path classes) throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "-d",
                                classes.toString(),
                                "-classpath",
                                ruleApiLocation(),
                                "--release",
                                "17",
                                "-implicit:none"));
        try (Stream<Path> walk = Files.walk(sources)) {
            walk.filter(p -> p.toString().endsWith(".java"))
                    .sorted()
                    .forEach(p -> args.add(p.toString()));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (compiler.run(null, errors, errors, args.toArray(new String[0])) != 0) {
            throw new IllegalStateException(
                    "could not compile "
                            + sources
                            + ": "
                            + errors.toString(StandardCharsets.UTF_8));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path file : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    private static Path pack(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "1.0.0");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file :
                    walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                jarOut.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                jarOut.write(Files.readAllBytes(file));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(file);
            }
        }
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
