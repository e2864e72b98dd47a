package dev.flinksidecar.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSidecarProcessTest {

    @Test
    void theSidecarsArchiveForALocalJarLiesBesideIt() {
        assertThat(LocalSidecarProcess.localJarSidecarArchive("target/flink-sidecar-local.jar"))
                .isEqualTo(Path.of("target/flink-sidecar-local-sidecar.jsa").toAbsolutePath());
    }

    @Test
    void aClassPathOfFoldersOrManyEntriesHasNoArchive() {
        assertThat(LocalSidecarProcess.localJarSidecarArchive("target/classes")).isNull();
        assertThat(
                        LocalSidecarProcess.localJarSidecarArchive(
                                "a.jar" + File.pathSeparator + "b.jar"))
                .isNull();
        assertThat(LocalSidecarProcess.localJarSidecarArchive(null)).isNull();
    }

    @Test
    void theCommandFromThisClassPathNamesNoArchiveThatIsNotThere() {
        // the tests run from target/classes: no archive, the sidecar's flags and main class
        assertThat(LocalSidecarProcess.fromClassPath())
                .noneMatch(arg -> arg.startsWith("-XX:SharedArchiveFile"))
                .contains("-XX:+UseSerialGC", "dev.flinksidecar.sidecar.Main");
    }

    @Test
    void theCommandFromALocalJarUsesTheArchiveBesideIt(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("flink-sidecar-local.jar"));
        Path archive = Files.createFile(dir.resolve("flink-sidecar-local-sidecar.jsa"));
        String classPath = System.getProperty("java.class.path");
        System.setProperty("java.class.path", jar.toString());
        try {
            assertThat(LocalSidecarProcess.fromClassPath())
                    .containsSubsequence(
                            "-XX:SharedArchiveFile=" + archive,
                            "-Xshare:auto",
                            "-cp",
                            jar.toString(),
                            "dev.flinksidecar.sidecar.Main");
        } finally {
            System.setProperty("java.class.path", classPath);
        }
    }

    @Test
    void flagsFilesKeepTheirFlagsWithoutCommentsOrBlankLines() {
        assertThat(LocalSidecarProcess.parseFlags("# a comment\n -Xmx1g \n\n-Dx=y\n"))
                .containsExactly("-Xmx1g", "-Dx=y");
    }
}
