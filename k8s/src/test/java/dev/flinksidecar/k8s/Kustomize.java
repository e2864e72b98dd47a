package dev.flinksidecar.k8s;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.Yaml;

/** Renders a kustomization with {@code kubectl kustomize} (offline) and parses what it prints. */
final class Kustomize {

    /** The repository root (the surefire property {@code project.root}, else the parent folder). */
    static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    /** {@code k8s/}. */
    static final Path K8S = ROOT.resolve("k8s");

    /** The overlays every test checks. */
    static final List<String> OVERLAYS = List.of("operator", "standalone");

    private Kustomize() {}

    private static final Map<String, Rendered> OVERLAY_RENDERS = new ConcurrentHashMap<>();

    /**
     * {@code k8s/overlays/NAME}, rendered (once per test JVM: the files do not change while tests
     * run).
     */
    static Rendered overlay(String name) throws IOException, InterruptedException {
        Rendered rendered = OVERLAY_RENDERS.get(name);
        if (rendered == null) {
            rendered = render(K8S.resolve("overlays").resolve(name));
            OVERLAY_RENDERS.put(name, rendered);
        }
        return rendered;
    }

    /** The objects {@code kubectl kustomize dir} prints, in order. */
    static Rendered render(Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process =
                    new ProcessBuilder(kubectl().toString(), "kustomize", dir.toString())
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(
                        "kubectl kustomize " + dir + " did not finish within 2 minutes");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(
                        "kubectl kustomize "
                                + dir
                                + " failed (exit "
                                + process.exitValue()
                                + "): "
                                + Files.readString(err));
            }
            List<Map<String, Object>> objects = new ArrayList<>();
            for (Object document : new Yaml().loadAll(Files.readString(out))) {
                if (document != null) {
                    objects.add(Tree.map(document, "a rendered object"));
                }
            }
            return new Rendered(dir, objects);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * kubectl from the PATH; kubectl is part of what this module needs, so its absence fails the
     * test.
     */
    static Path kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(
                "kubectl is not on the PATH: the k8s module's tests render the manifests with "
                        + "`kubectl kustomize` (kubectl 1.27 or later; no cluster needed). Install kubectl and run again.");
    }
}
