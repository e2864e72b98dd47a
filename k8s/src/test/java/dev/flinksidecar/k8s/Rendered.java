package dev.flinksidecar.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * A rendered overlay, and where its pieces are in either shape: the operator's FlinkDeployment
 * (TaskManager pod = spec.taskManager.podTemplate, job = spec.job, Flink config =
 * spec.flinkConfiguration) or the standalone one (TaskManager pod = Deployment flink-taskmanager,
 * job = the args of Job flink-sidecar-submit, Flink config = ConfigMap flink-config's config.yaml).
 */
final class Rendered {

    static final String SIDECAR = "flink-sidecar";
    static final String FLINK_MAIN = "flink-main-container";

    final Path dir;
    final List<Map<String, Object>> objects;

    Rendered(Path dir, List<Map<String, Object>> objects) {
        this.dir = dir;
        this.objects = objects;
    }

    /** The object of {@code kind} named {@code name}, or null. */
    Map<String, Object> find(String kind, String name) {
        for (Map<String, Object> object : objects) {
            if (kind.equals(object.get("kind"))
                    && name.equals(Tree.at(object, "metadata", "name"))) {
                return object;
            }
        }
        return null;
    }

    List<Map<String, Object>> all(String kind) {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            if (kind.equals(object.get("kind"))) {
                found.add(object);
            }
        }
        return found;
    }

    /** The FlinkDeployment, or null in the standalone shape. */
    Map<String, Object> flinkDeployment() {
        List<Map<String, Object>> found = all("FlinkDeployment");
        return found.isEmpty() ? null : found.get(0);
    }

    /** The TaskManager pod's spec. */
    Map<String, Object> taskManagerPod() {
        Map<String, Object> deployment = flinkDeployment();
        if (deployment != null) {
            return Tree.map(
                    Tree.required(deployment, what(), "spec", "taskManager", "podTemplate", "spec"),
                    what());
        }
        return Tree.map(
                Tree.required(standaloneTaskManager(), what(), "spec", "template", "spec"), what());
    }

    /**
     * The labels the TaskManager pods carry: what the operator (Flink's native Kubernetes mode)
     * puts on them (app = the deployment's name, component = taskmanager), or the Deployment's pod
     * template labels.
     */
    Map<String, Object> taskManagerPodLabels() {
        Map<String, Object> deployment = flinkDeployment();
        if (deployment != null) {
            return Map.of(
                    "app",
                    Tree.required(deployment, what(), "metadata", "name"),
                    "component",
                    "taskmanager");
        }
        return Tree.map(
                Tree.required(
                        standaloneTaskManager(), what(), "spec", "template", "metadata", "labels"),
                what());
    }

    Map<String, Object> sidecar() {
        Map<String, Object> container =
                Tree.named(taskManagerPod().get("initContainers"), SIDECAR, what());
        if (container == null) {
            throw new AssertionError(
                    what() + ": the TaskManager pod has no init container " + SIDECAR);
        }
        return container;
    }

    Map<String, Object> taskManagerContainer() {
        Map<String, Object> container =
                Tree.named(taskManagerPod().get("containers"), FLINK_MAIN, what());
        if (container == null) {
            throw new AssertionError(
                    what() + ": the TaskManager pod has no container " + FLINK_MAIN);
        }
        return container;
    }

    /** The arguments the job's main gets. */
    List<String> jobArgs() {
        Map<String, Object> deployment = flinkDeployment();
        Object args;
        if (deployment != null) {
            args = Tree.required(deployment, what(), "spec", "job", "args");
        } else {
            Map<String, Object> submit = find("Job", "flink-sidecar-submit");
            if (submit == null) {
                throw new AssertionError(what() + ": no Job flink-sidecar-submit");
            }
            Map<String, Object> container =
                    Tree.map(
                            Tree.list(
                                            Tree.required(
                                                    submit,
                                                    what(),
                                                    "spec",
                                                    "template",
                                                    "spec",
                                                    "containers"),
                                            what())
                                    .get(0),
                            what());
            args = container.get("args");
        }
        List<String> strings = new ArrayList<>();
        for (Object arg : Tree.list(args, what() + " job args")) {
            strings.add(String.valueOf(arg));
        }
        return strings;
    }

    /** The Flink configuration the TaskManagers run with (flat keys). */
    Map<String, Object> flinkConfig() {
        Map<String, Object> deployment = flinkDeployment();
        if (deployment != null) {
            return Tree.map(
                    Tree.required(deployment, what(), "spec", "flinkConfiguration"), what());
        }
        Map<String, Object> configMap = find("ConfigMap", "flink-config");
        if (configMap == null) {
            throw new AssertionError(what() + ": no ConfigMap flink-config");
        }
        String yaml = (String) Tree.required(configMap, what(), "data", "config.yaml");
        return Tree.map(new Yaml().load(yaml), what() + " config.yaml");
    }

    private Map<String, Object> standaloneTaskManager() {
        Map<String, Object> deployment = find("Deployment", "flink-taskmanager");
        if (deployment == null) {
            throw new AssertionError(
                    what() + ": neither a FlinkDeployment nor a Deployment flink-taskmanager");
        }
        return deployment;
    }

    String what() {
        return "kubectl kustomize " + dir;
    }
}
