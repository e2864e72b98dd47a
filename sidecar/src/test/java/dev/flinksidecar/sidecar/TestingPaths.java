package dev.flinksidecar.sidecar;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is, for tests that read {@code testdata/}. */
public final class TestingPaths {

    private TestingPaths() {}

    /**
     * The project root: {@code -Dproject.root} if it holds {@code testdata/}, else the nearest such
     * parent of the working directory.
     */
    public static Path projectRoot() {
        String configured = System.getProperty("project.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "testdata"))) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("testdata"))
                    && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no testdata/ folder above " + Path.of("").toAbsolutePath());
    }
}
