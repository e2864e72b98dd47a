package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a job that depends on {@code flink-sidecar-operator} gets: one jar with the operator, the
 * wire format and the event model, and protobuf only under {@code dev.flinksidecar.shaded}, so it
 * never meets the job's own protobuf; no class of the sidecar; a POM that names only what is not
 * inside. Here because this module builds after the operator's jar is packaged ({@code
 * operator.jar} names it).
 */
class OperatorJarContentsTest {

    private static final String RELOCATED = "dev/flinksidecar/shaded/com/google/protobuf/";

    @Test
    void bundlesProtoAndEventsWithProtobufRelocatedAndNothingOfTheSidecar() throws IOException {
        List<String> entries = entries(operatorJar());
        assertThat(entries)
                .as("protobuf at its own name")
                .noneMatch(e -> e.startsWith("com/google/protobuf/"));
        assertThat(entries)
                .as("the sidecar's classes")
                .noneMatch(e -> e.startsWith("dev/flinksidecar/sidecar/"));
        assertThat(entries)
                .as("the ready-made job's classes")
                .noneMatch(e -> e.startsWith("dev/flinksidecar/job/"));
        assertThat(entries)
                .as("the rule API (a dependency of its own)")
                .noneMatch(e -> e.startsWith("dev/flinksidecar/rule/"));
        assertThat(entries)
                .contains(
                        RELOCATED + "GeneratedMessage.class",
                        "dev/flinksidecar/proto/ClientMessage.class",
                        "dev/flinksidecar/events/EventRecord.class",
                        "dev/flinksidecar/events/wire/Frames.class",
                        "dev/flinksidecar/operator/SidecarStreams.class",
                        "dev/flinksidecar/operator/client/SidecarClient.class",
                        "dev/flinksidecar/operator/types/ResultRecord.class");
    }

    @Test
    void itsClassesLinkOnlyTheRelocatedProtobuf() throws IOException {
        try (JarFile jar = new JarFile(operatorJar().toFile())) {
            for (String name :
                    List.of(
                            "dev/flinksidecar/proto/ClientMessage.class",
                            "dev/flinksidecar/events/wire/Frames.class",
                            "dev/flinksidecar/operator/SidecarKeyedState.class")) {
                String bytes =
                        new String(
                                jar.getInputStream(jar.getJarEntry(name)).readAllBytes(),
                                StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(name).contains(RELOCATED);
                assertThat(bytes.replace(RELOCATED, ""))
                        .as(name)
                        .doesNotContain("com/google/protobuf/");
            }
        }
    }

    @Test
    void itsPublishedPomNamesOnlyWhatIsNotInside() throws Exception {
        Path pom = operatorJar().getParent().resolveSibling("dependency-reduced-pom.xml");
        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        NodeList dependencies = document.getElementsByTagName("dependency");
        List<String> named = new ArrayList<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            String scope = text(dependency, "scope");
            named.add(text(dependency, "artifactId") + ":" + (scope.isEmpty() ? "compile" : scope));
        }
        assertThat(named)
                .contains("rule-api:compile", "flink-streaming-java:provided")
                .noneMatch(
                        d ->
                                d.startsWith("proto:")
                                        || d.startsWith("events:")
                                        || d.startsWith("protobuf-java:"))
                .noneMatch(d -> d.startsWith("sidecar:"));
    }

    @Test
    void theJobsOwnClassesNameNoProtobufClass() throws IOException, URISyntaxException {
        Path classes =
                Path.of(
                        SidecarJob.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".class"))
                            .collect(Collectors.toList())) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as(file.toString())
                        .doesNotContain("com/google/protobuf/")
                        .as(file + ": the job needs the sidecar at run time only (local mode)")
                        // a class of the sidecar, not the JVM-flags resource local mode reads
                        .doesNotContainPattern("dev/flinksidecar/sidecar/(?!footprint/jvm-flags)");
            }
        }
    }

    @Test
    void theSidecarIsOnTheJobsClassPathAtRunTimeOnly() throws Exception {
        Document pom =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(Path.of("pom.xml").toFile());
        NodeList dependencies = pom.getElementsByTagName("dependency");
        List<String> sidecar = new ArrayList<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            if (text(dependency, "artifactId").equals("sidecar")) {
                sidecar.add(text(dependency, "scope"));
            }
        }
        assertThat(sidecar)
                .as("flink-job's dependency on the sidecar module: local mode starts it")
                .containsExactly("runtime");
    }

    /**
     * {@code operator/target/flink-sidecar-operator-VERSION.jar}, as the build names it in {@code
     * operator.jar}.
     */
    private static Path operatorJar() {
        Path jar =
                Path.of(
                        System.getProperty(
                                "operator.jar", "../operator/target/flink-sidecar-operator.jar"));
        assertThat(jar)
                .as("the operator's jar; build the operator module with `mvn package` first")
                .isRegularFile();
        return jar;
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(JarEntry::getName).collect(Collectors.toList());
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }
}
