package dev.flinksidecar.sidecar.rules.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.UntrustedRuleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A rule jar as untrusted input: the calls a rule may not make, refused with the class and the call
 * named unless its config allows them; zip bombs and oversized entries refused, named, without
 * inflating them into memory; a config nested too deep refused.
 */
class UntrustedRuleJarTest {

    private static byte[] echo;

    @TempDir Path dir;

    @BeforeAll
    static void buildJar() throws IOException {
        echo =
                RuleJarBuilder.jar("echo")
                        .version("1.0.0")
                        .source(SwapRules.ECHO)
                        .rules("testrules.Echo")
                        .bytes();
    }

    static Stream<UntrustedRuleFiles.Caller> callers() {
        return UntrustedRuleFiles.CALLERS.stream();
    }

    @ParameterizedTest
    @MethodSource("callers")
    void aJarThatCallsWhatARuleMayNotIsRefusedNamingTheClassAndTheCall(
            UntrustedRuleFiles.Caller caller) throws IOException {
        Path jar = caller.jar(dir);

        RuleLoadException refusal = refusal(jar, JarLimits.DEFAULTS);

        assertThat(refusal.getMessage())
                .startsWith(
                        "rule jar "
                                + caller.name()
                                + ".jar refused: class testrules."
                                + caller.className()
                                + " "
                                + caller.call()
                                + " (capability '");
        assertThat(refusal.detail()).contains("refused: class testrules." + caller.className());
    }

    @ParameterizedTest
    @MethodSource("callers")
    void theSameJarLoadsWhenItsConfigAllowsTheCapabilityExceptExit(UntrustedRuleFiles.Caller caller)
            throws IOException, RuleLoadException {
        Path jar = caller.jar(dir);
        String capability = caller.capability() == null ? "exit" : caller.capability();
        Files.writeString(
                dir.resolve(caller.name() + ".json"), "{\"allow\": [\"" + capability + "\"]}");

        if (caller.capability() == null) {
            assertThat(refusal(jar, JarLimits.DEFAULTS).getMessage())
                    .isEqualTo(
                            "rule jar "
                                    + caller.name()
                                    + ".jar: config "
                                    + caller.name()
                                    + ".json field 'allow' names 'exit', which no rule may have (a rule "
                                    + "that ends the process ends every other rule and session)");
            return;
        }
        try (RuleJar loaded = RuleJar.load(jar)) {
            assertThat(loaded.rules()).hasSize(1);
            assertThat(loaded.artifact().allowed())
                    .extracting(Capability::configName)
                    .containsExactly(capability);
        }
    }

    @Test
    void anUnknownCapabilityIsAConfigError() throws IOException {
        Path jar = Files.write(dir.resolve("echo.jar"), echo);
        Files.writeString(dir.resolve("echo.json"), "{\"allow\": [\"threads\", \"network\"]}");

        assertThat(refusal(jar, JarLimits.DEFAULTS).getMessage())
                .isEqualTo(
                        "rule jar echo.jar: config echo.json field 'allow' names an unknown capability "
                                + "'network'; known: processes, native, unsafe, threads");

        Files.writeString(dir.resolve("echo.json"), "{\"allow\": \"threads\"}");
        assertThat(refusal(jar, JarLimits.DEFAULTS).getMessage())
                .isEqualTo(
                        "rule jar echo.jar: config echo.json field 'allow' must be a list of "
                                + "capability names, e.g. [\"threads\"], not threads");
    }

    @Test
    void aZipBombIsRefusedNamingTheEntryItsRatioAndTheLimit() throws IOException {
        Path jar = UntrustedRuleFiles.zipBomb(dir, "bomb", echo, 200L * 1024 * 1024);

        assertThat(refusal(jar, JarLimits.DEFAULTS).getMessage())
                .matches(
                        "rule jar bomb\\.jar refused: entry data/zeros\\.bin inflates from \\d+ to "
                                + "209715200 bytes, a ratio of \\d+, over the limit of 100 \\(a zip bomb\\? "
                                + "sidecar\\.rules\\.max-entry-ratio\\)");
    }

    @Test
    void aZipBombWhoseDirectoryUnderstatesItsSizeIsStoppedWhileItInflates() throws IOException {
        Path jar = UntrustedRuleFiles.zipBomb(dir, "bomb", echo, 200L * 1024 * 1024);
        UntrustedRuleFiles.understateSize(jar, "data/zeros.bin", 1000);

        assertThat(refusal(jar, JarLimits.DEFAULTS).getMessage())
                .matches(
                        "rule jar bomb\\.jar refused: entry data/zeros\\.bin inflates from \\d+ to more "
                                + "than \\d+ bytes, a ratio over the limit of 100 \\(a zip bomb\\? "
                                + "sidecar\\.rules\\.max-entry-ratio\\)");
    }

    @Test
    void anEntryOverTheEntryLimitIsRefusedWhateverItsRatio() throws IOException {
        Path jar = UntrustedRuleFiles.withStoredEntry(dir, "big", echo, 3 * 1024 * 1024);
        JarLimits limits = new JarLimits(64L << 20, 2L << 20, 512L << 20, 100);

        assertThat(refusal(jar, limits).getMessage())
                .isEqualTo(
                        "rule jar big.jar refused: entry data/stored.bin is 3145728 bytes inflated, over "
                                + "the limit of 2097152 bytes for one entry (sidecar.rules.max-entry-bytes)");
    }

    @Test
    void entriesOverTheTotalLimitTogetherAreRefused() throws IOException {
        Path jar = UntrustedRuleFiles.withStoredEntry(dir, "big", echo, 3 * 1024 * 1024);
        JarLimits limits = new JarLimits(64L << 20, 64L << 20, 2L << 20, 100);

        assertThat(refusal(jar, limits).getMessage())
                .startsWith(
                        "rule jar big.jar refused: its entries inflate to more than 2097152 bytes")
                .endsWith("(limit: sidecar.rules.max-inflated-bytes)");
    }

    @Test
    void aJarOverTheJarLimitIsRefusedWithItsSize() {
        assertThatThrownBy(
                        () -> new JarLimits(1000, 1000, 1000, 100).checkJarSize("fraud.jar", 1001))
                .hasMessage(
                        "rule jar fraud.jar is too large: 1001 bytes, over the limit of 1000 bytes "
                                + "(sidecar.rules.max-jar-bytes)");
    }

    @Test
    void aConfigNested200000DeepIsRefusedAtTheNestingLimit() throws IOException {
        Path jar = Files.write(dir.resolve("echo.jar"), echo);
        Files.writeString(dir.resolve("echo.json"), UntrustedRuleFiles.deepConfig(200_000));

        assertThat(refusal(jar, JarLimits.DEFAULTS).getMessage())
                .startsWith("rule jar echo.jar: config echo.json is not valid JSON: ")
                .contains("nested deeper than 64 levels");
    }

    private static RuleLoadException refusal(Path jar, JarLimits limits) {
        try {
            RuleJar.load(RuleArtifact.read(jar, "test"), limits, loader -> {}).close();
        } catch (RuleLoadException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError(jar.getFileName() + " was not refused");
    }
}
