package dev.flinksidecar.sidecar.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventLineParser;
import dev.flinksidecar.sidecar.Main;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} on input no event reader should stop at: a line nested 100,000 levels deep, half a
 * surrogate pair, a line starting with an emoji, bytes that are not UTF-8, a megabyte of random
 * bytes. Each bad line is a dead letter with its reason, every good line gives its results, the
 * exit code is 0, and the outputs are UTF-8 a reader can read back.
 */
class ReplayMalformedInputTest {

    @TempDir Path dir;

    @Test
    void badLinesAreDeadLettersWithTheirReasonAndTheGoodLinesAreReplayed() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        text(input, "{\"key\":\"a\",\"time\":1000,\"amount\":150}\n");
        text(
                input,
                "{\"key\":\"deep\",\"time\":1001,\"amount\":"
                        + "[".repeat(100_000)
                        + "]".repeat(100_000)
                        + "}\n");
        text(input, "{\"key\":\"a\\ud800b\",\"time\":1002,\"amount\":500}\n");
        text(input, "\uD83D\uDE00{\"key\":\"emoji\",\"time\":1003,\"amount\":500}\n");
        text(input, "{\"key\":\"caf");
        input.writeBytes(HexFormat.of().parseHex("c328"));
        text(input, "\",\"time\":1004,\"amount\":500}\n");
        text(input, "{\"key\":\"\uD83D\uDE00 caf\u00e9\",\"time\":1005,\"amount\":200}\n");
        byte[] noise = new byte[1 << 20];
        new Random(5).nextBytes(noise);
        input.writeBytes(noise);
        text(input, "\n{\"key\":\"b\",\"time\":1006,\"amount\":300}\n");
        Path in = Files.write(dir.resolve("in.jsonl"), input.toByteArray());
        Path out = dir.resolve("results.jsonl");
        Path dead = dir.resolve("dead.jsonl");
        StringWriter err = new StringWriter();

        int exit =
                Main.run(
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true),
                        "replay",
                        "--rules-dir",
                        rules.toString(),
                        "--input",
                        in.toString(),
                        "--output",
                        out.toString(),
                        "--dead-letter-output",
                        dead.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(TestingVersions.normalised(Files.readAllLines(out), rules))
                .containsExactly(
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"a\",\"time\":1000,\"amount\":150,\"source\":\"threshold\"}",
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"\uD83D\uDE00 caf\u00e9\",\"time\":1005,\"amount\":200,"
                                + "\"source\":\"threshold\"}",
                        "{\"rule\":\"threshold\",\"version\":\"1.0.0\",\"key\":\"b\",\"time\":1006,\"amount\":300,\"source\":\"threshold\"}");
        assertThat(utf8(Files.readAllBytes(dead))).as("the dead letters are UTF-8").isTrue();
        List<String> deadLetters = Files.readAllLines(dead, StandardCharsets.UTF_8);
        assertThat(deadLetters.subList(0, 4))
                .satisfiesExactly(
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "{\"file\":\"in.jsonl\",\"line\":2,\"reason\":\"not valid JSON: nested deeper than "
                                                        + EventLineParser.MAX_NESTING_DEPTH
                                                        + " levels at column "),
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "{\"file\":\"in.jsonl\",\"line\":3,\"reason\":\"not valid JSON: \\\\ud800 is half a "
                                                        + "surrogate pair")
                                        .endsWith(
                                                ",\"raw\":\"{\\\"key\\\":\\\"a\\\\ud800b\\\",\\\"time\\\":1002,\\\"amount\\\":500}\"}"),
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "{\"file\":\"in.jsonl\",\"line\":4,\"reason\":\"not valid JSON: unexpected character "
                                                        + "'\uD83D\uDE00' at column 1\""),
                        line ->
                                assertThat(line)
                                        .isEqualTo(
                                                "{\"file\":\"in.jsonl\",\"line\":5,\"reason\":\"not valid UTF-8: byte 0xC3 at byte 12 of "
                                                        + "the line\",\"raw\":\"{\\\"key\\\":\\\"caf\uFFFD(\\\",\\\"time\\\":1004,\\\"amount\\\":500}\"}"));
        assertThat(deadLetters.subList(4, deadLetters.size()))
                .as("the random bytes' lines")
                .hasSizeGreaterThan(1000)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .containsPattern(
                                                "\"reason\":\"(not valid |expected a JSON object)"));
        assertThat(err.toString())
                .startsWith(
                        "replay: 3 events from 1 file -> 3 results, "
                                + deadLetters.size()
                                + " dead letters ("
                                + deadLetters.size()
                                + " malformed, 0 rule failures)");
    }

    @Test
    void aLineOverTheLimitIsADeadLetterAndTheLinesAfterItAreReplayed() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        String longLine =
                "{\"key\":\"long\",\"time\":1001,\"amount\":500,\"pad\":\""
                        + "x".repeat(5000)
                        + "\"}";
        String longerThanAMegabyte =
                "{\"key\":\"huge\",\"time\":1003,\"amount\":500,\"pad\":\""
                        + "y".repeat(1 << 21)
                        + "\"}";
        Path in =
                Files.writeString(
                        dir.resolve("in.jsonl"),
                        "{\"key\":\"a\",\"time\":1000,\"amount\":150}\n"
                                + longLine
                                + "\n{\"key\":\"b\",\"time\":1002,\"amount\":300}\n"
                                + longerThanAMegabyte
                                + "\n{\"key\":\"c\",\"time\":1004,\"amount\":400}\n");

        List<String> small = replay(rules, in, "--max-line-bytes", "4096");
        assertThat(small.get(0))
                .as("results: every line but the long ones")
                .contains("\"key\":\"a\"", "\"key\":\"b\"", "\"key\":\"c\"")
                .doesNotContain("\"key\":\"long\"", "\"key\":\"huge\"");
        assertThat(small.subList(1, small.size()))
                .as("dead letters")
                .containsExactly(
                        deadLetter(2, 4096, longLine), deadLetter(4, 4096, longerThanAMegabyte));

        List<String> byDefault = replay(rules, in);
        assertThat(byDefault.get(0))
                .contains("\"key\":\"long\"")
                .doesNotContain("\"key\":\"huge\"");
        assertThat(byDefault.subList(1, byDefault.size()))
                .containsExactly(deadLetter(4, 1 << 20, longerThanAMegabyte));

        StringWriter err = new StringWriter();
        int exit =
                Main.run(
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true),
                        "replay",
                        "--rules-dir",
                        rules.toString(),
                        "--input",
                        in.toString(),
                        "--output",
                        dir.resolve("never.jsonl").toString(),
                        "--max-line-bytes",
                        "0");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "--max-line-bytes: the longest event line must be 1 to 1073741824 bytes, not 0");
    }

    private static String deadLetter(int line, int limit, String text) {
        return "{\"file\":\"in.jsonl\",\"line\":"
                + line
                + ",\"reason\":\"the line is longer than "
                + limit
                + " bytes; its first 1024 bytes are kept in \\\"raw\\\"\",\"raw\":\""
                + text.substring(0, 1024).replace("\"", "\\\"")
                + "\"}";
    }

    /** Replays {@code in}: the results as one string, then the dead letters, one per element. */
    private List<String> replay(Path rules, Path in, String... flags) throws IOException {
        Path out = Files.createTempFile(dir, "results", ".jsonl");
        Path dead = Files.createTempFile(dir, "dead", ".jsonl");
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "replay",
                                "--rules-dir",
                                rules.toString(),
                                "--input",
                                in.toString(),
                                "--output",
                                out.toString(),
                                "--dead-letter-output",
                                dead.toString(),
                                "--no-progress"));
        args.addAll(List.of(flags));
        StringWriter err = new StringWriter();
        int exit =
                Main.run(
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true),
                        args.toArray(new String[0]));
        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = new java.util.ArrayList<>();
        lines.add(Files.readString(out));
        lines.addAll(Files.readAllLines(dead));
        return lines;
    }

    private static void text(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
