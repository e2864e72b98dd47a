package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.sidecar.CliException;
import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: runs an event file through the rule engine in process, for testing rules without
 * Flink. Every rule jar must load: a refused jar fails the run (exit 1) naming it, since a replay
 * without one of its rules would silently produce the wrong output.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description =
                "Runs an event file (or folder) through the rule jars in process and writes the results "
                        + "as JSON Lines, with the same semantics as the Flink job with deterministic watermarks.")
public final class ReplayCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--rules-dir",
            required = true,
            paramLabel = "DIR",
            description = "Folder of rule jars.")
    Path rulesDir;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description =
                    "Event file (JSON Lines, or length-delimited protobuf for .pb/.bin) or a folder of them.")
    Path input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "FILE",
            description = "Results, JSON Lines, in input order.")
    Path output;

    @Option(
            names = "--out-of-orderness",
            paramLabel = "DURATION",
            description =
                    "How far the watermark stays behind the largest event time, e.g. 500ms, 5s (default: 0ms).")
    String outOfOrderness;

    @Option(
            names = "--late-output",
            paramLabel = "FILE",
            description =
                    "Events that a windowed rule dropped as late, JSON Lines: {\"rule\", \"version\", \"event\"}.")
    Path lateOutput;

    @Option(
            names = "--dead-letter-output",
            paramLabel = "FILE",
            description =
                    "Malformed input lines and events a rule failed on, JSON Lines with the reason.")
    Path deadLetterOutput;

    @Option(
            names = "--max-line-bytes",
            paramLabel = "BYTES",
            description =
                    "Longest JSON line read as an event (default: 1048576, 1 MiB); a longer one is a dead letter with its first KiB.")
    Integer maxLineBytes;

    @Option(
            names = "--no-progress",
            description =
                    "Shows no progress on stderr (by default: a bar on a terminal, else a line every --progress-interval).")
    boolean noProgress;

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            description =
                    "Time between two progress lines when stderr is not a terminal (default: 5s).")
    String progressInterval = "5s";

    @Option(
            names = {"-C", "--conf"},
            paramLabel = "KEY=VALUE",
            description =
                    "Sets one setting of sidecar/OPTIONS.md, e.g. sidecar.replay.batch-size=256. Repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() {
        SidecarConfig config =
                SidecarConfig.forCommand(conf).with(SidecarOptions.RULES_DIR, rulesDir);
        Duration lag =
                outOfOrderness == null
                        ? config.get(SidecarOptions.REPLAY_OUT_OF_ORDERNESS)
                        : parseDuration("--out-of-orderness", outOfOrderness);
        int maxLine =
                maxLineBytes == null
                        ? config.get(SidecarOptions.REPLAY_MAX_LINE_BYTES)
                        : maxLineBytes;
        try {
            EventFileReader.checkMaxLineBytes(maxLine);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    (maxLineBytes == null
                                    ? SidecarOptions.REPLAY_MAX_LINE_BYTES.key()
                                    : "--max-line-bytes")
                            + ": "
                            + e.getMessage(),
                    CliException.USAGE);
        }
        ReplayProgress progress =
                new ReplayProgress(
                        ReplayProgress.modeFor(noProgress),
                        spec.commandLine().getErr(),
                        parseDuration("--progress-interval", progressInterval),
                        System::nanoTime);
        requireExists(rulesDir, "rules directory", true);
        requireExists(input, "input", false);
        try (RuleSet rules = RuleSet.load(rulesDir)) {
            failOnRefusals(rules);
            try (RuleEngine engine = RuleEngine.open(rules, "replay");
                    ReplayOutputs outputs =
                            ReplayOutputs.open(output, deadLetterOutput, lateOutput)) {
                if (!engine.refusals().isEmpty()) {
                    throw new CliException(
                            engine.refusals().get(0).getMessage(), CliException.FAILURE);
                }
                ReplaySummary summary =
                        new Replay(
                                        engine,
                                        config.get(SidecarOptions.REPLAY_BATCH_SIZE),
                                        lag,
                                        maxLine,
                                        outputs,
                                        progress)
                                .run(input);
                spec.commandLine().getErr().println(summary.line(outputs.writesDeadLetters()));
            }
        } catch (IOException e) {
            throw new CliException("I/O error: " + e, CliException.FAILURE);
        }
        return 0;
    }

    private static Duration parseDuration(String flag, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(flag + ": " + e.getMessage(), CliException.USAGE);
        }
    }

    private static void requireExists(Path path, String what, boolean directory) {
        if (directory ? !Files.isDirectory(path) : !Files.exists(path)) {
            throw new CliException(
                    what
                            + " "
                            + path.toAbsolutePath()
                            + (Files.exists(path) ? " is not a directory" : " does not exist"),
                    CliException.USAGE);
        }
    }

    private static void failOnRefusals(RuleSet rules) {
        if (!rules.refusals().isEmpty()) {
            throw new CliException(
                    rules.refusals().stream()
                            .map(RuleLoadException::getMessage)
                            .collect(Collectors.joining("; ")),
                    CliException.FAILURE);
        }
    }
}
