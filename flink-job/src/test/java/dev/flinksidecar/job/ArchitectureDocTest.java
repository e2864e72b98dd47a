package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md is a map of the code: every class it names must exist, or the map leads a
 * newcomer nowhere after a rename. A name counts when it is written in backticks or stands in one
 * of the page's diagrams, and looks like a Java type (upper camel case, e.g. {@code
 * SessionHandler}, or the type before a member, e.g. {@code SidecarStreams.DEAD_LETTERS}). It
 * exists when a {@code .java} file of that name is in the repository or a {@code .proto} file
 * declares a message of that name (the generated classes).
 */
class ArchitectureDocTest {

    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern TYPE_NAME =
            Pattern.compile("\\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\\b");
    private static final Set<String> NOT_CLASSES = Set.of("JavaScript");

    @Test
    void everyClassTheArchitecturePageNamesExists() throws IOException {
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
        String page = Files.readString(root.resolve("ARCHITECTURE.md"));

        Set<String> named = new TreeSet<>();
        // split() alternates outside and inside the fences: every odd part is a diagram
        String[] parts = page.split("```");
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 1) {
                named.addAll(typeNames(parts[i]));
            } else {
                Matcher ticks = BACKTICKED.matcher(parts[i]);
                while (ticks.find()) {
                    named.addAll(typeNames(ticks.group(1)));
                }
            }
        }
        named.removeAll(NOT_CLASSES);
        assertThat(named).as("class names on the page").hasSizeGreaterThan(40);

        Set<String> known = knownTypes(root);
        Set<String> missing =
                named.stream()
                        .filter(name -> !known.contains(name))
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(missing)
                .as("names in ARCHITECTURE.md with no class or proto message of that name")
                .isEmpty();
    }

    private static Set<String> typeNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = TYPE_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> knownTypes(Path root) throws IOException {
        Set<String> known = new TreeSet<>();
        Pattern message = Pattern.compile("^\\s*(?:message|enum)\\s+(\\w+)", Pattern.MULTILINE);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (file.toString().contains("/target/") || file.toString().contains("/.git/")) {
                    continue;
                }
                String name = file.getFileName().toString();
                if (name.endsWith(".java")) {
                    known.add(name.substring(0, name.length() - ".java".length()));
                } else if (name.endsWith(".proto")) {
                    Matcher m = message.matcher(Files.readString(file));
                    while (m.find()) {
                        known.add(m.group(1));
                    }
                }
            }
        }
        return known;
    }
}
