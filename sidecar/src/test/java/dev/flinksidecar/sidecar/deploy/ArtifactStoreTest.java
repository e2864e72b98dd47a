package dev.flinksidecar.sidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {

    @TempDir Path dir;

    @Test
    void aStoreOfItsOwnIsAnOwnerOnlyFolderInTheTempDirThatCloseDeletes() throws IOException {
        Path folder;
        Path stored;
        try (ArtifactStore store = ArtifactStore.open(null)) {
            folder = store.dir();
            stored = store.store("rule.jar", jar("a"), sha("a"));

            assertThat(folder.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
            assertThat(folder.getFileName().toString()).startsWith("flink-sidecar-rules-");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)))
                    .isEqualTo("rw-------");
        }
        assertThat(folder).doesNotExist();
    }

    @Test
    void aConfiguredFolderIsCreatedOwnerOnlyAndItsJarsToo() throws IOException {
        Path folder = dir.resolve("some/store");
        try (ArtifactStore store = ArtifactStore.open(folder)) {
            Path stored = store.store("rule.jar", jar("a"), sha("a"));

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)))
                    .isEqualTo("rw-------");
        }
        assertThat(folder).as("a configured folder is kept").exists();
    }

    @Test
    void anExistingFolderThatOthersCanReadIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> ArtifactStore.open(folder))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "rule jar store "
                                + folder
                                + " is rwxr-xr-x; it must be rwx------ (only the sidecar's user may"
                                + " write the jars it runs): chmod 700 it or name a new folder");
    }

    @Test
    void storesEachContentOnceNamedByItsHashAndDeletesItAfterTheLastUse() throws IOException {
        try (ArtifactStore store = ArtifactStore.open(dir.resolve("store"))) {
            Path first = store.store("fraud rule.jar", jar("a"), sha("a"));
            Path again = store.store("fraud rule.jar", jar("a"), sha("a"));
            Path other = store.store("fraud rule.jar", jar("b"), sha("b"));

            assertThat(again).isEqualTo(first);
            assertThat(first.getFileName().toString())
                    .isEqualTo(sha("a").substring(0, 16) + "-fraud_rule.jar");
            assertThat(Files.readString(first)).isEqualTo("a");
            assertThat(other).isNotEqualTo(first);
            assertThat(store.size()).isEqualTo(2);
            try (Stream<Path> files = Files.list(store.dir())) {
                assertThat(files)
                        .as("no .incoming- file left")
                        .containsExactlyInAnyOrder(first, other);
            }

            store.release(first);
            assertThat(first).exists();
            store.release(first);
            assertThat(first).doesNotExist();
            assertThat(other).exists();
        }
        assertThat(dir.resolve("store")).as("a folder given is not deleted").exists();
    }

    private static byte[] jar(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha(String content) {
        return ContentHash.digest(jar(content), null).jarSha256();
    }
}
