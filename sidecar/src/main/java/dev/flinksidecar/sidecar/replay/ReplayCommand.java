package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.events.EventFileReader;
import dev.flinksidecar.rule.Durations;
import dev.flinksidecar.sidecar.CliException;
import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import dev.flinksidecar.sidecar.diff.Tolerance;
import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: runs an event file through the rule engine in process, for testing rules without
 * Flink. Every rule jar must load: a refused jar fails the run (exit 1) naming it, since a replay
 * without one of its rules would silently produce the wrong output.
 *
 * <p>With {@code --candidate DIR --diff FILE} it runs the same events through the rules of {@code
 * --rules-dir} (the current ones) and those of {@code DIR} (the candidate) in lockstep and writes
 * their differences ({@link LockstepDiff}); it exits {@link #DIFFERENCES} when there are any, so a
 * rule repository's CI can gate on it.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Runs an event file (or folder) through the rule jars in process and writes the results "
                    + "as JSON Lines, with the same semantics as the Flink job with deterministic watermarks.",
            "With --candidate DIR --diff FILE: runs the same events through the rules of --rules-dir "
                    + "(current) and of DIR (candidate) and writes one JSON line per difference: "
                    + "{\"change\": \"added\"|\"removed\"|\"changed\", \"rule\", \"key\", \"time\" "
                    + "(or \"window_start\", \"window_end\"), \"current\": {..}, \"candidate\": {..}}. "
                    + "A rule in only one of the two sets has all its results removed or added."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done; with --candidate: no result differs",
            "1:a failure while running: a refused rule jar, I/O errors",
            "2:a usage error: unknown or missing flag, a rules directory, candidate or input that does "
                    + "not exist, an empty candidate directory",
            "3:with --candidate: some results differ (written to --diff)"
        })
public final class ReplayCommand implements Callable<Integer> {

    /** The exit code of {@code replay --candidate} when some results differ. */
    public static final int DIFFERENCES = 3;

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
            paramLabel = "FILE",
            description = "Results, JSON Lines, in input order (required without --candidate).")
    Path output;

    @Option(
            names = "--candidate",
            paramLabel = "DIR",
            description =
                    "Folder of candidate rule jars (and configs) to compare with --rules-dir's; needs --diff.")
    Path candidateDir;

    @Option(
            names = "--diff",
            paramLabel = "FILE",
            description =
                    "With --candidate: the differences, JSON Lines, one per result added, removed or changed.")
    Path diff;

    @Option(
            names = "--tolerance",
            paramLabel = "NUMBER",
            description =
                    "With --candidate: relative tolerance within which two numbers agree (default: 1e-9).")
    Double tolerance;

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
        checkFlags();
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
        int batchSize = config.get(SidecarOptions.REPLAY_BATCH_SIZE);
        try {
            if (candidateDir != null) {
                Tolerance relative = tolerance();
                requireCandidateJars();
                return diff(new ReplaySummary(), batchSize, lag, maxLine, progress, relative);
            }
            replay(new ReplaySummary(), batchSize, lag, maxLine, progress);
            return 0;
        } catch (AccessDeniedException e) {
            throw new CliException(
                    "cannot read or write " + e.getFile() + ": permission denied",
                    CliException.FAILURE);
        } catch (IOException e) {
            throw new CliException("I/O error: " + e, CliException.FAILURE);
        }
    }

    /** The plain replay: one rule set, its results to the output files. */
    private void replay(
            ReplaySummary summary,
            int batchSize,
            Duration lag,
            int maxLine,
            ReplayProgress progress)
            throws IOException {
        try (RuleSet rules = RuleSet.load(rulesDir)) {
            failOnRefusals(rules, "");
            try (RuleEngine engine = RuleEngine.open(rules, "replay");
                    ReplayOutputs outputs =
                            ReplayOutputs.open(output, deadLetterOutput, lateOutput)) {
                failOnRefusals(engine, "");
                new Replay(
                                new ResultFiles(engine, outputs, summary),
                                batchSize,
                                lag,
                                maxLine,
                                progress,
                                summary)
                        .run(input);
                spec.commandLine().getErr().println(summary.line(outputs.writesDeadLetters()));
            }
        }
    }

    /**
     * {@code --candidate}: both rule sets over the same events in lockstep, the differences to
     * {@code --diff}; returns 0 when nothing differs, {@link #DIFFERENCES} otherwise.
     */
    private int diff(
            ReplaySummary summary,
            int batchSize,
            Duration lag,
            int maxLine,
            ReplayProgress progress,
            Tolerance relative)
            throws IOException {
        try (RuleSet currentRules = RuleSet.load(rulesDir);
                RuleSet candidateRules = RuleSet.load(candidateDir)) {
            failOnRefusals(currentRules, "current rules: ");
            failOnRefusals(candidateRules, "candidate: ");
            try (RuleEngine current = RuleEngine.open(currentRules, "replay-current");
                    RuleEngine candidate = RuleEngine.open(candidateRules, "replay-candidate");
                    Writer differences = ReplayOutputs.create(diff)) {
                failOnRefusals(current, "current rules: ");
                failOnRefusals(candidate, "candidate: ");
                LockstepDiff lockstep = new LockstepDiff(current, candidate, relative, differences);
                Set<String> currentIds = ids(currentRules);
                Set<String> candidateIds = ids(candidateRules);
                currentIds.forEach(lockstep.differ().tally()::rule);
                candidateIds.forEach(lockstep.differ().tally()::rule);
                new Replay(lockstep, batchSize, lag, maxLine, progress, summary).run(input);
                lockstep.finish();
                for (String line :
                        DiffSummary.lines(
                                summary,
                                lockstep.currentCounts(),
                                lockstep.candidateCounts(),
                                lockstep.differ().tally(),
                                currentIds,
                                candidateIds,
                                diff)) {
                    spec.commandLine().getErr().println(line);
                }
                return lockstep.differ().tally().differences() == 0 ? 0 : DIFFERENCES;
            }
        }
    }

    private static Set<String> ids(RuleSet rules) {
        Set<String> ids = new TreeSet<>();
        for (LoadedRule rule : rules.rules()) {
            ids.add(rule.id());
        }
        return ids;
    }

    /** Refuses flags that do not go together, naming them (exit 2, with the pointer to --help). */
    private void checkFlags() {
        if (candidateDir == null) {
            if (diff != null || tolerance != null) {
                throw usage(
                        (diff != null ? "--diff" : "--tolerance")
                                + " needs --candidate DIR: the rules to compare with");
            }
            if (output == null) {
                throw usage(
                        "Missing required option: '--output=FILE' (or --candidate DIR with --diff FILE)");
            }
            return;
        }
        if (diff == null) {
            throw usage("--candidate needs --diff FILE: where the differences go");
        }
        String[] names = {"--output", "--dead-letter-output", "--late-output"};
        Path[] given = {output, deadLetterOutput, lateOutput};
        for (int i = 0; i < names.length; i++) {
            if (given[i] != null) {
                throw usage(
                        names[i]
                                + " is not used with --candidate: the differences of the two rule sets go to --diff");
            }
        }
    }

    private Tolerance tolerance() {
        try {
            return new Tolerance(tolerance == null ? Tolerance.DEFAULT : tolerance);
        } catch (IllegalArgumentException e) {
            throw usage("--tolerance: " + e.getMessage());
        }
    }

    /** The candidate folder exists and holds at least one rule jar, else a usage error. */
    private void requireCandidateJars() throws IOException {
        requireExists(candidateDir, "candidate rules directory", true);
        try (Stream<Path> files = Files.list(candidateDir)) {
            if (files.noneMatch(
                    p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))) {
                throw new CliException(
                        "candidate rules directory "
                                + candidateDir.toAbsolutePath()
                                + " holds no rule jar (*.jar): nothing to compare with",
                        CliException.USAGE);
            }
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
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

    /** Fails the run (exit 1) when a jar was refused, naming each; {@code which} names the set. */
    private static void failOnRefusals(RuleSet rules, String which) {
        if (!rules.refusals().isEmpty()) {
            throw new CliException(
                    which
                            + rules.refusals().stream()
                                    .map(RuleLoadException::getMessage)
                                    .collect(Collectors.joining("; ")),
                    CliException.FAILURE);
        }
    }

    /** Fails the run (exit 1) when a rule failed to open, naming it. */
    private static void failOnRefusals(RuleEngine engine, String which) {
        if (!engine.refusals().isEmpty()) {
            throw new CliException(
                    which + engine.refusals().get(0).getMessage(), CliException.FAILURE);
        }
    }
}
