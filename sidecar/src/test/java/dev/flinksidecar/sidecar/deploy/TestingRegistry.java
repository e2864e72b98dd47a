package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.events.wire.ResultJson;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import dev.flinksidecar.sidecar.rules.loading.JarLimits;
import dev.flinksidecar.sidecar.rules.running.RuleEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A registry over a temporary store that records the classloaders it retires, and sessions on it,
 * for tests.
 */
final class TestingRegistry implements AutoCloseable {

    final ArtifactStore store;
    final List<ClassLoader> retired = Collections.synchronizedList(new ArrayList<>());
    final RuleRegistry registry;
    private final AtomicLong clock = new AtomicLong(1_767_225_600_000L);
    private final List<RuleEngine> sessions = new ArrayList<>();

    TestingRegistry(Path dir) throws IOException {
        this(dir, JarLimits.DEFAULTS, Sha256AllowList.any());
    }

    /** A registry that reads jars within {@code limits}. */
    TestingRegistry(Path dir, JarLimits limits) throws IOException {
        this(dir, limits, Sha256AllowList.any());
    }

    /**
     * A registry that reads jars within {@code limits} and takes only those {@code allowList}
     * lists.
     */
    TestingRegistry(Path dir, JarLimits limits, Sha256AllowList allowList) throws IOException {
        this.store = ArtifactStore.open(dir.resolve("store"));
        this.registry =
                new RuleRegistry(
                        store,
                        retired::add,
                        3,
                        clock::incrementAndGet,
                        SidecarMetrics.disabled(),
                        limits,
                        allowList);
    }

    /** Deploys through the admin path; {@code config} may be null. */
    DeployOutcome deploy(String fileName, byte[] jar, String config) {
        return registry.deploy(
                fileName,
                jar,
                config == null ? null : config.getBytes(StandardCharsets.UTF_8),
                "admin " + fileName);
    }

    /** A session's engine, as SessionHandler opens one at Hello. */
    RuleEngine session(String name, boolean barriers, long restoredCheckpoint) {
        return session(name, barriers, restoredCheckpoint, false);
    }

    /** A session's engine, keeping keyed state or not. */
    RuleEngine session(String name, boolean barriers, long restoredCheckpoint, boolean keyedState) {
        RuleEngine engine =
                RuleEngine.open(
                        registry.open(name, barriers, restoredCheckpoint), name, keyedState);
        sessions.add(engine);
        return engine;
    }

    RuleStatus status(String id) {
        return registry.status().stream()
                .filter(r -> r.getId().equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** The names of the retired loaders, e.g. {@code rule:echo@1.0.0+3f2a9c1}. */
    List<String> retiredNames() {
        synchronized (retired) {
            return retired.stream().map(ClassLoader::getName).collect(Collectors.toList());
        }
    }

    /** The versions of the answer's results, one {@code id@version} per result. */
    static List<String> versions(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(
                        r ->
                                answer.getRules(r.getRule()).getId()
                                        + "@"
                                        + answer.getRules(r.getRule()).getVersion())
                .collect(Collectors.toList());
    }

    /** The answer's results as JSON lines. */
    static List<String> lines(ResultBatch answer) {
        return answer.getResultsList().stream()
                .map(r -> ResultJson.toJson(answer.getRules(r.getRule()), r))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        sessions.forEach(RuleEngine::close);
        registry.close();
        store.close();
    }
}
