package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.LoadedRule;
import dev.flinksidecar.sidecar.rules.loading.RuleJar;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The rules of a rules directory: every {@code *.jar} in it, each in its own classloader, plus the
 * jars that were refused and why. Rules are ordered by id (then jar name, then the jar's own
 * order), which is the order the engine calls them for each event.
 *
 * <p>This is the fixed set of rules that {@code replay} runs; {@code serve} deploys the same jars
 * into a registry whose versions can change while it runs.
 *
 * <p>Immutable; shared by all sessions. Closing it closes every jar's classloader, so close it only
 * after every session's instances are closed.
 */
public final class RuleSet implements Closeable, RuleFeedSource {

    private final List<RuleJar> jars;
    private final List<LoadedRule> rules;
    private final List<RuleVersion> versions;
    private final List<RuleLoadException> refusals;

    RuleSet(List<RuleJar> jars, List<RuleLoadException> refusals) {
        this.jars = List.copyOf(jars);
        this.refusals = List.copyOf(refusals);
        List<LoadedRule> all = new ArrayList<>();
        jars.forEach(jar -> all.addAll(jar.rules()));
        all.sort(Comparator.comparing(LoadedRule::id));
        this.rules = Collections.unmodifiableList(all);
        this.versions = jars.stream().map(RuleVersion::unmanaged).collect(Collectors.toList());
    }

    /** A feed that gives a session every rule of this set, once; the versions never change. */
    @Override
    public RuleFeed open(
            String sessionName, boolean checkpointBarriers, long restoredCheckpointId) {
        return new FixedFeed(versions);
    }

    /**
     * Loads every {@code *.jar} of {@code dir} (sorted by file name). A jar that cannot be loaded,
     * or whose rule id an earlier jar already uses, is refused and listed in {@link #refusals()};
     * the others load. Runs rule code ({@code open}/{@code close} of a trial instance) on the
     * calling thread.
     *
     * @throws IOException when {@code dir} is not a readable directory; the message names it
     */
    public static RuleSet load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(
                    "rules directory "
                            + dir.toAbsolutePath()
                            + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(
                                    p ->
                                            p.getFileName().toString().endsWith(".jar")
                                                    && Files.isRegularFile(p))
                            .sorted()
                            .collect(Collectors.toList());
        }
        List<RuleJar> jars = new ArrayList<>();
        List<RuleLoadException> refusals = new ArrayList<>();
        Map<String, String> jarOfId = new HashMap<>();
        for (Path file : files) {
            try {
                RuleJar jar = RuleJar.load(file);
                String id = jar.rules().get(0).id();
                String owner = jarOfId.putIfAbsent(id, jar.fileName());
                if (owner != null) {
                    jar.close();
                    throw new RuleLoadException(
                            "rule jar "
                                    + jar.fileName()
                                    + ": rule id '"
                                    + id
                                    + "' is already used by "
                                    + owner);
                }
                jars.add(jar);
            } catch (RuleLoadException e) {
                refusals.add(e);
            }
        }
        return new RuleSet(jars, refusals);
    }

    /** The loaded rules, in the order the engine calls them. */
    public List<LoadedRule> rules() {
        return rules;
    }

    /** The jars that were refused, each with a message naming the jar and the cause. */
    public List<RuleLoadException> refusals() {
        return refusals;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (RuleJar jar : jars) {
            try {
                jar.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return rules.stream().map(LoadedRule::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
