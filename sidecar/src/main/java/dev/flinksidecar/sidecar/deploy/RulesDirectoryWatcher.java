package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.sidecar.rules.loading.RuleArtifact;
import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys what is dropped into the rules directory: a new or replaced {@code NAME.jar}, or a
 * changed {@code NAME.json} beside it, deploys that rule again (through the same validation as
 * {@code admin deploy}); a {@code NAME.jar} that is gone removes the rule it deployed.
 *
 * <p>Files still being written are never picked up half-done. The rule: a change is acted on only
 * when the jar's and the config's size and modification time are the same at two polls in a row
 * ({@code sidecar.rules.watch-interval} apart), and the bytes read have the size that was seen. A
 * file whose writer pauses longer than that is validated, found not to be a whole jar and refused
 * (the active version keeps running); when its writer finishes, the changed file is picked up
 * again. Writing to a hidden name ({@code .NAME.jar.tmp}) and renaming it into place avoids even
 * that: hidden files and anything but {@code *.jar} and {@code *.json} are ignored. A jar missing
 * at two polls in a row counts as removed.
 *
 * <p>Every file is untrusted input: whatever goes wrong while one loads (a zip bomb, a config
 * nested too deep, a jar over {@code sidecar.rules.max-jar-bytes}, even an {@link
 * OutOfMemoryError}) refuses that file, logged and counted like any refusal, and later files still
 * deploy.
 *
 * <p>Threads: one thread calls {@link #loadAll} once and then {@link #poll} (the sidecar's admin
 * thread); not thread-safe.
 */
public final class RulesDirectoryWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(RulesDirectoryWatcher.class);

    private final Path dir;
    private final RuleRegistry registry;

    /** Per base name: the state at the last poll. */
    private final Map<String, FileState> seen = new HashMap<>();

    /** Per base name: the state that was last deployed or refused. */
    private final Map<String, FileState> handled = new HashMap<>();

    /** Per base name: the rule id its last deploy had. */
    private final Map<String, String> ids = new HashMap<>();

    /** Base names handled before and missing at the last poll. */
    private final Set<String> missing = new HashSet<>();

    public RulesDirectoryWatcher(Path dir, RuleRegistry registry) {
        this.dir = dir;
        this.registry = registry;
    }

    /** Deploys every jar of the directory as it is now, in name order (at startup). */
    public List<DeployOutcome> loadAll() throws IOException {
        List<DeployOutcome> outcomes = new ArrayList<>();
        for (Map.Entry<String, FileState> file : scan().entrySet()) {
            seen.put(file.getKey(), file.getValue());
            outcomes.add(handle(file.getKey(), file.getValue()));
        }
        outcomes.removeIf(o -> o == null);
        return outcomes;
    }

    /**
     * Looks at the directory once and deploys or removes what has settled since (see the class
     * comment).
     */
    public List<DeployOutcome> poll() throws IOException {
        List<DeployOutcome> outcomes = new ArrayList<>();
        Map<String, FileState> now = scan();
        for (Map.Entry<String, FileState> file : now.entrySet()) {
            String base = file.getKey();
            FileState state = file.getValue();
            missing.remove(base);
            FileState before = seen.put(base, state);
            if (!state.equals(handled.get(base)) && state.equals(before)) {
                outcomes.add(handle(base, state));
            }
        }
        for (String base : new ArrayList<>(handled.keySet())) {
            if (now.containsKey(base)) {
                continue;
            }
            seen.remove(base);
            if (missing.add(base)) {
                continue; // gone at this poll only: wait for the next
            }
            missing.remove(base);
            handled.remove(base);
            String id = ids.remove(base);
            if (id != null && source(base).equals(registry.sourceOf(id))) {
                DeployOutcome outcome = registry.remove(id);
                LOG.info("{}.jar left the rules directory: {}", base, outcome.message());
                outcomes.add(outcome);
            }
        }
        outcomes.removeIf(o -> o == null);
        return outcomes;
    }

    /**
     * Deploys one settled file. Whatever goes wrong with it, an {@link OutOfMemoryError} or {@link
     * StackOverflowError} included, is that file's refusal, logged and counted: the watcher goes on
     * with the next file and the next poll (only an error saying the JVM itself is broken escapes).
     */
    private DeployOutcome handle(String base, FileState state) {
        handled.put(base, state);
        String source = source(base);
        try {
            return deploy(base, state, source);
        } catch (RuleLoadException e) {
            return refused(source, e);
        } catch (Throwable e) {
            RuleRegistry.rethrowIfFatal(e);
            ids.remove(base);
            return refused(source, RuleRegistry.failed(jarName(base), e));
        }
    }

    private DeployOutcome deploy(String base, FileState state, String source)
            throws IOException, RuleLoadException {
        registry.limits().checkJarSize(jarName(base), state.jarSize());
        byte[] jar;
        byte[] config;
        try {
            jar = Files.readAllBytes(dir.resolve(jarName(base)));
            Path configFile = dir.resolve(configName(base));
            config =
                    Files.isRegularFile(configFile)
                            ? RuleArtifact.readConfig(jarName(base), configFile)
                            : null;
        } catch (NoSuchFileException e) {
            jar = null;
            config = null;
        }
        if (jar == null
                || jar.length
                        != state.jarSize()) { // changed while we looked: the next polls see it
            // settle
            handled.remove(base);
            seen.remove(base);
            return null;
        }
        RuleArtifact artifact = registry.prepare(jarName(base), jar, config, source);
        checkOwner(base, artifact);
        String previousId = ids.put(base, artifact.id());
        if (previousId != null
                && !previousId.equals(artifact.id())
                && source.equals(registry.sourceOf(previousId))) {
            registry.remove(previousId); // the config gave the rule another id
        }
        DeployOutcome outcome =
                registry.deploy(artifact); // the registry logs the deploy with its source
        if (!outcome.ok()) {
            ids.remove(base);
        }
        return outcome;
    }

    private DeployOutcome refused(String source, RuleLoadException e) {
        LOG.warn("refused: {} (from {})", e.getMessage(), source);
        registry.refusedElsewhere(source, e.getMessage());
        return DeployOutcome.failed(DeployOutcome.REFUSED, null, e.getMessage(), e.detail());
    }

    /** Refuses a jar whose rule id another jar of the directory already deploys. */
    private void checkOwner(String base, RuleArtifact artifact) throws RuleLoadException {
        for (Map.Entry<String, String> other : ids.entrySet()) {
            if (!other.getKey().equals(base)
                    && other.getValue().equals(artifact.id())
                    && handled.containsKey(other.getKey())) {
                registry.discard(artifact);
                throw new RuleLoadException(
                        "rule jar "
                                + artifact.fileName()
                                + ": rule id '"
                                + artifact.id()
                                + "' is already used by "
                                + other.getKey()
                                + ".jar");
            }
        }
    }

    private static String source(String base) {
        return "rules-dir ".concat(jarName(base));
    }

    private static String jarName(String base) {
        return base.concat(".jar");
    }

    private static String configName(String base) {
        return base.concat(".json");
    }

    /** The rule jars of the directory now, by base name in name order. */
    private Map<String, FileState> scan() throws IOException {
        Map<String, FileState> states = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !name.endsWith(".jar")) {
                    continue;
                }
                String base = name.substring(0, name.length() - 4);
                FileState state = FileState.of(file, dir.resolve(configName(base)));
                if (state != null) {
                    states.put(base, state);
                }
            }
        }
        return states;
    }
}
