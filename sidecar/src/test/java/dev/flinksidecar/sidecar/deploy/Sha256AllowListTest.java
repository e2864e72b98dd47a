package dev.flinksidecar.sidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.loading.ContentHash;
import dev.flinksidecar.sidecar.rules.loading.JarLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only jars whose SHA-256 the allow-list file lists deploy; others are refused by digest. */
class Sha256AllowListTest {

    @TempDir Path dir;

    @Test
    void aListedJarIsAcceptedAndAnUnlistedOneIsRefusedNamingItsDigest() throws IOException {
        byte[] listed = echo("1.0.0");
        byte[] unlisted = echo("2.0.0");
        String listedDigest = ContentHash.digest(listed, null).jarSha256();
        String unlistedDigest = ContentHash.digest(unlisted, null).jarSha256();
        Path file =
                Files.writeString(
                        dir.resolve("allowed.sha256"),
                        "# rules approved for production\n\n"
                                + listedDigest.toUpperCase()
                                + "  echo.jar\n");

        try (TestingRegistry rules =
                new TestingRegistry(dir, JarLimits.DEFAULTS, Sha256AllowList.of(file))) {
            assertThat(rules.deploy("echo.jar", listed, null).ok()).isTrue();

            DeployOutcome refused = rules.deploy("echo.jar", unlisted, null);
            assertThat(refused.ok()).isFalse();
            assertThat(refused.message())
                    .isEqualTo(
                            "rule jar echo.jar refused: its SHA-256 "
                                    + unlistedDigest
                                    + " is not in the allow-list "
                                    + file.toAbsolutePath()
                                    + " (sidecar.rules.allowed-digests-file)");

            Files.writeString(file, unlistedDigest + "\n", java.nio.file.StandardOpenOption.APPEND);
            assertThat(rules.deploy("echo.jar", unlisted, null).ok())
                    .as("the file is read again at each deploy")
                    .isTrue();
        }
    }

    @Test
    void aLineThatIsNotADigestIsAnErrorNamingTheFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("allowed.sha256"), "# approved\necho.jar\n");

        assertThatThrownBy(() -> Sha256AllowList.of(file))
                .hasMessage(
                        "file "
                                + file.toAbsolutePath()
                                + " line 2 does not start with a SHA-256 (64 hex digits): echo.jar");
    }

    private static byte[] echo(String version) throws IOException {
        return RuleJarBuilder.jar("echo")
                .version(version)
                .source(SwapRules.ECHO)
                .rules("testrules.Echo")
                .bytes();
    }
}
