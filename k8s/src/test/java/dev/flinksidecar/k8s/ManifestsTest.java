package dev.flinksidecar.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.k8s.Containers.Location;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Renders every overlay with {@code kubectl kustomize} and checks what a mistake in the manifests
 * would break, without a cluster: the socket path agrees between the sidecar, the TaskManager's
 * mount and the job; every volume is declared and mounted where the programs look; the sidecar is a
 * native sidecar with probes on its health endpoints; the security contexts; the resources. {@link
 * SidecarContainerITCase} runs the sidecar with these very arguments.
 */
class ManifestsTest {

    static final List<String> OVERLAYS = Kustomize.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void sidecarIsANativeSidecarRunningServe(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, Object> sidecar = rendered.sidecar();

        assertThat(sidecar.get("restartPolicy"))
                .as("native sidecar: init container with restartPolicy Always")
                .isEqualTo("Always");
        List<String> args = Containers.args(sidecar);
        assertThat(args).as("sidecar args").startsWith("serve");
        Containers.option(args, "--socket", overlay);
        Containers.option(args, "--rules-dir", overlay);
        Containers.option(args, "--http-port", overlay);
        assertThat(sidecar.get("image"))
                .as("sidecar image")
                .asString()
                .startsWith("flink-sidecar:");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void socketPathIsTheSameForSidecarTaskManagerAndJob(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        String socket = Containers.option(Containers.args(rendered.sidecar()), "--socket", overlay);

        assertThat(Containers.option(rendered.jobArgs(), "--socket", overlay + " job args"))
                .as("job --socket")
                .isEqualTo(socket);
        assertThat(rendered.flinkConfig().get("sidecar.operator.socket-path"))
                .as(
                        "TaskManager config sidecar.operator.socket-path (what the operator reads when the job sets no --socket)")
                .isEqualTo(socket);

        Location inSidecar = Containers.locate(rendered.sidecar(), socket);
        Location inTaskManager = Containers.locate(rendered.taskManagerContainer(), socket);
        assertThat(inSidecar).as("the socket's folder is a volume in the sidecar").isNotNull();
        assertThat(inTaskManager)
                .as("the socket's folder is a volume in the TaskManager")
                .isNotNull();
        assertThat(inTaskManager.volume()).as("same volume").isEqualTo(inSidecar.volume());
        assertThat(inTaskManager.pathInVolume())
                .as("same place in the volume")
                .isEqualTo(inSidecar.pathInVolume());
        assertThat(inSidecar.readOnly())
                .as("the sidecar creates the socket: writable mount")
                .isFalse();
        Map<String, Object> volume = volume(rendered, inSidecar.volume());
        assertThat(volume).as("socket volume is a pod-private emptyDir").containsKey("emptyDir");
        assertThat((socket + ".admin").length())
                .as(
                        "the admin socket's path (the longer one), bound first as DIR/.sXXXXXX/NAME,"
                                + " fits the 107 bytes of a Unix socket path")
                .isLessThanOrEqualTo(107 - "/.sXXXXXX".length());
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyVolumeIsDeclaredAndMountedWhereTheProgramsLook(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, Object> pod = rendered.taskManagerPod();
        Set<String> declared = new HashSet<>();
        for (Object node : Tree.list(pod.get("volumes"), "volumes")) {
            assertThat(declared.add((String) Tree.map(node, "volume").get("name")))
                    .as("volume names are unique")
                    .isTrue();
        }
        Set<String> mounted = new HashSet<>();
        for (Map<String, Object> container :
                List.of(rendered.sidecar(), rendered.taskManagerContainer())) {
            for (Object node :
                    Tree.list(
                            container.get("volumeMounts"),
                            container.get("name") + " volumeMounts")) {
                String name = (String) Tree.map(node, "volumeMount").get("name");
                assertThat(declared)
                        .as(container.get("name") + " mounts volume " + name)
                        .contains(name);
                mounted.add(name);
            }
        }
        assertThat(mounted).as("every declared volume is mounted").containsAll(declared);

        String rulesDir =
                Containers.option(Containers.args(rendered.sidecar()), "--rules-dir", overlay);
        Location rules = Containers.locate(rendered.sidecar(), rulesDir);
        assertThat(rules).as("--rules-dir " + rulesDir + " is a mounted volume").isNotNull();
        assertThat(rules.pathInVolume()).as("--rules-dir is the volume's root").isEmpty();
        assertThat(rules.readOnly()).as("rules are read-only in the pod").isTrue();
        String configMap =
                (String)
                        Tree.required(
                                volume(rendered, rules.volume()), overlay, "configMap", "name");
        assertThat(rendered.find("ConfigMap", configMap))
                .as("the rules ConfigMap " + configMap + " is rendered")
                .isNotNull();

        // Read-only root filesystem: java.io.tmpdir (/tmp: the jar store, hot-swap uploads) must be
        // a volume.
        Location tmp = Containers.locate(rendered.sidecar(), "/tmp");
        assertThat(tmp).as("/tmp is a volume in the sidecar").isNotNull();
        assertThat(tmp.readOnly()).isFalse();

        // The job reads and writes under /data in the TaskManager.
        for (String flag : List.of("--input", "--output")) {
            String path = Containers.option(rendered.jobArgs(), flag, overlay + " job args");
            assertThat(Containers.locate(rendered.taskManagerContainer(), path))
                    .as("job " + flag + " " + path + " is on a volume")
                    .isNotNull();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void probesUseTheSidecarsHealthEndpointsOnItsHttpPort(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, Object> sidecar = rendered.sidecar();
        int httpPort =
                Integer.parseInt(
                        Containers.option(Containers.args(sidecar), "--http-port", overlay));

        Map<String, String> paths =
                Map.of(
                        "startupProbe",
                        "/health/ready",
                        "readinessProbe",
                        "/health/ready",
                        "livenessProbe",
                        "/health/live");
        for (Map.Entry<String, String> probe : paths.entrySet()) {
            Map<String, Object> httpGet =
                    Tree.map(
                            Tree.required(sidecar, overlay, probe.getKey(), "httpGet"),
                            probe.getKey());
            assertThat(httpGet.get("path"))
                    .as(probe.getKey() + " path")
                    .isEqualTo(probe.getValue());
            assertThat(containerPort(sidecar, httpGet.get("port")))
                    .as(probe.getKey() + " port = --http-port")
                    .isEqualTo(httpPort);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void podAndContainersRunAsNonRootAndShareOnlyTheSocketGroup(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, Object> pod =
                Tree.map(
                        Tree.required(rendered.taskManagerPod(), overlay, "securityContext"),
                        "pod securityContext");
        assertThat(pod.get("runAsNonRoot")).as("pod runAsNonRoot").isEqualTo(true);
        Object fsGroup = Tree.required(pod, overlay, "fsGroup");

        for (Map<String, Object> container :
                List.of(rendered.sidecar(), rendered.taskManagerContainer())) {
            String name = (String) container.get("name");
            Map<String, Object> security =
                    Tree.map(
                            Tree.required(container, overlay, "securityContext"),
                            name + " securityContext");
            assertThat(security.get("runAsNonRoot")).as(name + " runAsNonRoot").isEqualTo(true);
            assertThat((Integer) security.get("runAsUser")).as(name + " runAsUser").isPositive();
            assertThat(security.get("runAsGroup"))
                    .as(name + " runAsGroup = the pod's fsGroup (the socket's group)")
                    .isEqualTo(fsGroup);
            assertThat(security.get("allowPrivilegeEscalation"))
                    .as(name + " allowPrivilegeEscalation")
                    .isEqualTo(false);
            assertThat(Tree.list(Tree.required(security, name, "capabilities", "drop"), "drop"))
                    .as(name + " drops")
                    .contains("ALL");
            assertThat(Tree.at(security, "capabilities", "add"))
                    .as(name + " adds no capability")
                    .isNull();
            assertThat(security.get("privileged")).as(name + " privileged").isNotEqualTo(true);
        }
        Map<String, Object> sidecar =
                Tree.map(rendered.sidecar().get("securityContext"), "sidecar securityContext");
        assertThat(sidecar.get("readOnlyRootFilesystem"))
                .as("sidecar readOnlyRootFilesystem")
                .isEqualTo(true);
        assertThat(sidecar.get("runAsUser"))
                .as("sidecar and TaskManager are different users")
                .isNotEqualTo(
                        Tree.at(rendered.taskManagerContainer(), "securityContext", "runAsUser"));
    }

    /**
     * The sidecar's sockets are its own user's unless its settings say otherwise: the data socket
     * must be in the TaskManager's group and let that group in, or the TaskManager is refused.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void sidecarLetsTheTaskManagersGroupInAndNoOneElse(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, String> conf = conf(Containers.args(rendered.sidecar()));
        String taskManagerGroup =
                String.valueOf(
                        Tree.required(
                                rendered.taskManagerContainer(),
                                overlay,
                                "securityContext",
                                "runAsGroup"));

        assertThat(conf.get("sidecar.transport.socket-group"))
                .as("data socket rw-rw---- in the TaskManager's group (--conf)")
                .isEqualTo(taskManagerGroup);
        assertThat(conf.get("sidecar.transport.allowed-gids"))
                .as("the sidecar lets the TaskManager's group in (--conf)")
                .isEqualTo(taskManagerGroup);
        assertThat(conf.get("sidecar.transport.allowed-uids"))
                .as("no user besides the sidecar's own by uid")
                .isNull();
        assertThat(conf.keySet())
                .as(
                        "the admin socket stays the sidecar's user's: hot-swap.sh runs in its container")
                .noneMatch(key -> key.startsWith("sidecar.admin."));
    }

    /** The {@code --conf KEY=VALUE} settings of a container's args. */
    private static Map<String, String> conf(List<String> args) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--conf") || args.get(i).equals("-C")) {
                String[] keyValue = args.get(i + 1).split("=", 2);
                conf.put(keyValue[0], keyValue.length > 1 ? keyValue[1] : "");
            }
        }
        return conf;
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void sidecarHasRequestsAndLimits(String overlay) throws Exception {
        Map<String, Object> resources =
                Tree.map(
                        Tree.required(Kustomize.overlay(overlay).sidecar(), overlay, "resources"),
                        "resources");
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertThat(Tree.at(resources, kind, resource))
                        .as("sidecar " + kind + "." + resource)
                        .isNotNull();
            }
        }
        assertThat(Tree.at(resources, "requests", "memory"))
                .as("memory request = limit: no overcommit, no surprise OOM kill")
                .isEqualTo(Tree.at(resources, "limits", "memory"));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void hotSwapScriptFindsTheTaskManagerPodsAndTheAdminSocket(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        String script = Files.readString(Kustomize.K8S.resolve("hot-swap.sh"));
        Map<String, Object> sidecar = rendered.sidecar();

        assertThat(scriptDefault(script, "container"))
                .as("hot-swap.sh container")
                .isEqualTo(sidecar.get("name"));
        String socket = Containers.option(Containers.args(sidecar), "--socket", overlay);
        assertThat(Containers.args(sidecar))
                .as("no --admin-socket: the admin socket is the default, --socket + .admin")
                .doesNotContain("--admin-socket");
        assertThat(scriptDefault(script, "admin_socket"))
                .as("hot-swap.sh admin_socket")
                .isEqualTo(socket + ".admin");
        for (String pair : scriptDefault(script, "selector").split(",")) {
            String[] keyValue = pair.split("=", 2);
            assertThat(rendered.taskManagerPodLabels())
                    .as("TaskManager pod labels match hot-swap.sh's selector")
                    .containsEntry(keyValue[0], keyValue[1]);
        }
        assertThat(scriptDefault(script, "sidecar_bin"))
                .as("hot-swap.sh sidecar_bin is the image's launcher")
                .isEqualTo(SidecarImage.HOME + "/bin/sidecar");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void jobImageAndParallelism(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, Object> deployment = rendered.flinkDeployment();
        if (deployment == null) {
            assertThat(Containers.option(rendered.jobArgs(), "--class", overlay))
                    .isEqualTo("dev.flinksidecar.job.SidecarJob");
            assertThat(rendered.jobArgs()).contains("/opt/flink/usrlib/flink-sidecar-job.jar");
            return;
        }
        assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        String[] flink = System.getProperty("flink.version", "2.3.0").split("\\.");
        assertThat(Tree.at(deployment, "spec", "flinkVersion"))
                .as("flinkVersion names the Flink the job is built against")
                .isEqualTo("v" + flink[0] + "_" + flink[1]);
        assertThat(Tree.at(deployment, "spec", "job", "jarURI"))
                .isEqualTo("local:///opt/flink/usrlib/flink-sidecar-job.jar");
        assertThat(Tree.at(deployment, "spec", "job", "entryClass"))
                .isEqualTo("dev.flinksidecar.job.SidecarJob");
        assertThat((Integer) Tree.at(deployment, "spec", "job", "parallelism")).isPositive();
        assertThat(rendered.flinkConfig().values())
                .as("the CRD's flinkConfiguration is a map of strings")
                .allMatch(value -> value instanceof String);
    }

    private static Map<String, Object> volume(Rendered rendered, String name) {
        Map<String, Object> volume =
                Tree.named(rendered.taskManagerPod().get("volumes"), name, "volumes");
        if (volume == null) {
            throw new AssertionError(
                    rendered.what() + ": volume " + name + " is mounted but not declared");
        }
        return volume;
    }

    /** A probe's port: a number, or the name of one of the container's ports. */
    private static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer) {
            return (Integer) port;
        }
        Map<String, Object> named =
                Tree.named(container.get("ports"), String.valueOf(port), "ports");
        if (named == null) {
            throw new AssertionError(
                    "probe port " + port + " is not a port of " + container.get("name"));
        }
        return (Integer) named.get("containerPort");
    }

    /** {@code name=VALUE} at the start of a line of hot-swap.sh. */
    private static String scriptDefault(String script, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(script);
        if (!matcher.find()) {
            throw new AssertionError("hot-swap.sh has no line " + name + "=...");
        }
        return matcher.group(1);
    }
}
