package dev.flinksidecar.sidecar.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.sidecar.Main;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay --candidate} when something is wrong or the two sets do not hold the same rules:
 * each error names what is wrong and exits 2 (usage) or 1 (failure); a rule in only one set has all
 * its results added or removed.
 */
class ReplayDiffErrorsTest {

    @TempDir Path dir;

    private Path current;
    private Path candidate;
    private Path input;
    private Path diff;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        current = Files.createDirectory(dir.resolve("current"));
        candidate = Files.createDirectory(dir.resolve("candidate"));
        TestingRuleJars.threshold(current, "threshold", 100);
        input =
                Files.writeString(
                        dir.resolve("in.jsonl"),
                        "{\"key\":\"a\",\"time\":1000,\"amount\":150}\n"
                                + "{\"key\":\"b\",\"time\":2000,\"amount\":50}\n"
                                + "{\"key\":\"c\",\"time\":3000,\"amount\":300}\n");
        diff = dir.resolve("diff.jsonl");
    }

    @Test
    void aMissingCandidateFolderIsNamed() {
        assertThat(diff("--candidate", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("candidate rules directory " + dir.resolve("nope") + " does not exist");
    }

    @Test
    void anEmptyCandidateFolderIsNamed() {
        assertThat(diff("--candidate", candidate.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "candidate rules directory "
                                + candidate
                                + " holds no rule jar (*.jar): nothing to compare with");
    }

    @Test
    void aRefusedCandidateJarFailsTheRunNamingIt() throws IOException {
        Files.writeString(candidate.resolve("broken.jar"), "not a jar");
        assertThat(diff("--candidate", candidate.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("sidecar replay: candidate: ").contains("broken.jar");
    }

    @Test
    void aRuleOnlyInTheCandidateHasAllItsResultsAdded() throws IOException {
        TestingRuleJars.threshold(candidate, "threshold", 100);
        TestingRuleJars.threshold(candidate, "strict", 200);

        assertThat(diff("--candidate", candidate.toString())).isEqualTo(ReplayCommand.DIFFERENCES);

        assertThat(Files.readAllLines(diff))
                .singleElement()
                .satisfies(
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "{\"change\":\"added\",\"rule\":\"strict\",\"key\":\"c\",\"time\":3000,\"candidate\":{\"rule\":\"strict\","));
        assertThat(err.toString())
                .contains(
                        "diff strict (only in the candidate: all its results are added): 0 agree, 1 added, 0 removed, 0 changed")
                .contains("diff threshold: 2 agree, 0 added, 0 removed, 0 changed")
                .contains("diff: 1 difference in 1 of 2 rules, written to " + diff);
    }

    @Test
    void aRuleOnlyInTheCurrentSetHasAllItsResultsRemoved() throws IOException {
        TestingRuleJars.threshold(current, "strict", 200);
        TestingRuleJars.threshold(candidate, "threshold", 100);

        assertThat(diff("--candidate", candidate.toString())).isEqualTo(ReplayCommand.DIFFERENCES);

        assertThat(Files.readAllLines(diff))
                .singleElement()
                .satisfies(
                        line ->
                                assertThat(line)
                                        .startsWith("{\"change\":\"removed\",\"rule\":\"strict\""));
        assertThat(err.toString())
                .contains(
                        "diff strict (only in the current rules: all its results are removed): 0 agree, 0 added, 1 removed, 0 changed");
    }

    @Test
    void aMissingInputIsNamed() throws IOException {
        TestingRuleJars.threshold(candidate, "threshold", 100);
        input = dir.resolve("missing.jsonl");
        assertThat(diff("--candidate", candidate.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("input " + input + " does not exist");
    }

    @Test
    void flagsThatDoNotGoTogetherAreUsageErrors() throws IOException {
        TestingRuleJars.threshold(candidate, "threshold", 100);
        assertThat(run("--candidate", candidate.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--candidate needs --diff FILE");
        assertThat(
                        diff(
                                "--candidate",
                                candidate.toString(),
                                "--output",
                                dir.resolve("out.jsonl").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--output is not used with --candidate");
        assertThat(diff()).isEqualTo(2);
        assertThat(err.toString()).contains("--diff needs --candidate DIR");
        assertThat(diff("--candidate", candidate.toString(), "--tolerance", "-1")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--tolerance: the tolerance must be a finite number >= 0");
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--output=FILE'");
    }

    @Test
    void theHelpListsTheExitCodes() {
        StringWriter out = new StringWriter();
        Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "replay", "--help");
        assertThat(out.toString())
                .contains("--candidate=DIR")
                .contains("--diff=FILE")
                .contains("--tolerance=NUMBER")
                .contains("Exit codes:")
                .contains("3   with --candidate: some results differ");
    }

    private int diff(String... more) {
        List<String> args = new ArrayList<>(List.of("--diff", diff.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(new String[0]));
    }

    private int run(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                current.toString(),
                                "--input",
                                input.toString(),
                                "--no-progress"));
        args.addAll(List.of(more));
        return Main.run(
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                args.toArray(new String[0]));
    }
}
