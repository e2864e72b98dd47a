package dev.flinksidecar.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8s/hot-swap.sh} against two TaskManager pods whose sidecars are real (the image's
 * launcher, the rendered container args, {@link SidecarPod}) and whose API server is a fake {@code
 * kubectl} first on the PATH (src/test/resources/fake-kubectl.sh): it lists the pods and runs what
 * {@code kubectl exec} would run, with the pod's paths mapped to the pod's folder ({@code
 * pods/NAME}).
 */
class HotSwapScriptITCase {

    private static final String SELECTOR = "app=flink-sidecar-job,component=taskmanager";
    private static final List<SidecarPod> PODS = new ArrayList<>();
    private static Map<String, Object> container;

    @TempDir static Path pods;

    @TempDir Path temp;

    @BeforeAll
    static void startTaskManagerPods() throws Exception {
        container = Kustomize.overlay("standalone").sidecar();
        String rulesDir = Containers.option(Containers.args(container), "--rules-dir", "sidecar");
        for (String name : List.of("tm-1", "tm-2")) {
            Path root = pods.resolve(name);
            ConfigMapVolume.write(root.resolve(rulesDir.substring(1)), Map.of(), 1);
            PODS.add(SidecarPod.start(SidecarImage.get(), root, container));
        }
        for (SidecarPod pod : PODS) {
            pod.awaitStatus200("/health/ready");
        }
    }

    @AfterAll
    static void stopPods() throws Exception {
        for (SidecarPod pod : PODS) {
            pod.close();
        }
    }

    @Test
    void deploysOnEveryTaskManagerPodAndReportsEach() throws Exception {
        Path config =
                Files.writeString(
                        Files.createDirectories(temp.resolve("config")).resolve("threshold.json"),
                        "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 4242}");
        Result result =
                hotSwap(
                        List.of("tm-1", "tm-2"),
                        example("threshold.jar").toString(),
                        config.toString());

        assertThat(result.exit).as(result.toString()).isZero();
        assertThat(result.stdout)
                .containsPattern("(?m)^tm-1: deployed threshold ")
                .containsPattern("(?m)^tm-2: deployed threshold ")
                .contains("hot-swap: threshold.jar deployed on 2 pods");
        for (SidecarPod pod : PODS) {
            assertThat(pod.exec("admin", "--socket", adminSocket(), "list")).contains("threshold");
            try (Stream<Path> left = Files.list(Path.of(pod.local("/tmp")))) {
                assertThat(left.map(path -> path.getFileName().toString()))
                        .as("the upload folder is removed")
                        .noneMatch(name -> name.startsWith("tmp."));
            }
        }
        assertThat(result.kubectlCalls).contains("get pods -l " + SELECTOR + " -o name");
        assertThat(result.kubectlCalls)
                .anyMatch(call -> call.startsWith("exec -i tm-1 -c flink-sidecar -- sh -c "));
    }

    @Test
    void failsNamingThePodWhoseSidecarIsNotReachableAndDeploysOnTheOthers() throws Exception {
        Files.createDirectories(pods.resolve("tm-dead/tmp")); // a pod whose sidecar is not running
        Result result =
                hotSwap(
                        List.of("tm-1", "tm-dead"),
                        example("threshold.jar").toString(),
                        example("threshold.json").toString());

        assertThat(result.exit).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout)
                .containsPattern("(?m)^tm-1: deployed threshold ")
                .containsPattern("(?m)^tm-dead: FAILED: .*cannot reach the sidecar's admin socket");
        assertThat(result.stderr).contains("hot-swap: threshold.jar failed on 1 of 2 pods");
    }

    @Test
    void atCheckpointReachesTheAdminCommand() throws Exception {
        Files.createDirectories(pods.resolve("tm-dead/tmp"));
        Result result =
                hotSwap(
                        List.of("tm-dead"),
                        "--at-checkpoint",
                        "7",
                        example("threshold.jar").toString(),
                        example("threshold.json").toString());

        // Accepted by admin deploy's command line (a usage error would say so), then it finds no
        // sidecar.
        assertThat(result.stdout)
                .as(result.toString())
                .contains("cannot reach the sidecar's admin socket");
        assertThat(result.kubectlCalls)
                .anyMatch(call -> call.endsWith(" threshold.jar threshold.json --at-checkpoint 7"));
    }

    @Test
    void aRefusedJarFailsWithTheSidecarsReason() throws Exception {
        Path broken = Files.writeString(temp.resolve("broken.jar"), "not a jar");
        Result result = hotSwap(List.of("tm-1", "tm-2"), broken.toString());

        assertThat(result.exit).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout)
                .containsPattern("(?m)^tm-1: FAILED: .*broken")
                .containsPattern("(?m)^tm-2: FAILED: ");
    }

    @Test
    void noMatchingPodsIsAnError() throws Exception {
        Result result =
                hotSwap(List.of("tm-1"), "-l", "app=other", example("threshold.jar").toString());

        assertThat(result.exit).isEqualTo(1);
        assertThat(result.stderr).contains("no pods match app=other");
    }

    private Result hotSwap(List<String> podNames, String... args) throws Exception {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path kubectl = bin.resolve("kubectl");
        if (!Files.exists(kubectl)) {
            try (InputStream fake =
                    HotSwapScriptITCase.class.getResourceAsStream("/fake-kubectl.sh")) {
                Files.copy(fake, kubectl);
            }
            Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path calls = temp.resolve("kubectl-calls.log");
        Files.deleteIfExists(calls);
        Files.createFile(calls);
        List<String> command =
                new ArrayList<>(List.of("sh", Kustomize.K8S.resolve("hot-swap.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(temp.toFile())
                        .redirectOutput(temp.resolve("out").toFile())
                        .redirectError(temp.resolve("err").toFile());
        Map<String, String> env = SidecarImage.environment(builder.environment());
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("FAKE_KUBECTL_LOG", calls.toString());
        env.put("FAKE_PODS", pods.toString());
        env.put("FAKE_POD_NAMES", String.join(" ", podNames));
        env.put("FAKE_IMAGE", SidecarImage.get().root.toString());
        env.put("FAKE_SELECTOR", SELECTOR);
        env.put("FAKE_CONTAINER", (String) container.get("name"));
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("hot-swap.sh did not finish within 3 minutes");
        }
        return new Result(
                process.exitValue(),
                Files.readString(temp.resolve("out")),
                Files.readString(temp.resolve("err")),
                Files.readAllLines(calls, StandardCharsets.UTF_8));
    }

    private static String adminSocket() {
        return Containers.option(Containers.args(container), "--socket", "sidecar") + ".admin";
    }

    private static Path example(String file) {
        return Kustomize.ROOT.resolve("examples/target/rules").resolve(file);
    }

    private record Result(int exit, String stdout, String stderr, List<String> kubectlCalls) {
        @Override
        public String toString() {
            return "exit "
                    + exit
                    + "\nstdout:\n"
                    + stdout
                    + "stderr:\n"
                    + stderr
                    + "kubectl calls:\n"
                    + String.join("\n", kubectlCalls);
        }
    }
}
