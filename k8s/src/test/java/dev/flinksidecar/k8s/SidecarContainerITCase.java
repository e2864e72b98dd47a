package dev.flinksidecar.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The sidecar image and container as rendered, run for real: the image laid out from its build
 * context with its CDS training step run ({@link SidecarImage}), the container's entrypoint started
 * with the rendered args ({@link SidecarPod}), which the sidecar's command line must accept; then
 * its probes, its socket's permissions, the rules of the ConfigMap (also after an update), and its
 * measured memory against the rendered limit.
 */
class SidecarContainerITCase {

    static final List<String> OVERLAYS = Kustomize.OVERLAYS;

    /**
     * Above the measured need: what grows with open sessions (Netty's direct buffers for frames in
     * flight, threads).
     */
    private static final long MARGIN = 64L << 20;

    private static final Set<PosixFilePermission> OTHERS =
            Set.of(
                    PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);

    @TempDir Path temp;

    @Test
    void imageBuildsItsCdsArchiveAndTheLauncherUsesIt() throws Exception {
        SidecarImage image = SidecarImage.get();
        System.out.printf(
                "sidecar image: CDS training (RUN build-cds.sh) took %d ms%n", image.buildMillis);
        assertThat(image.path(SidecarImage.HOME + "/sidecar.jsa"))
                .as("the archive, at the jar's final path")
                .isNotEmptyFile();

        List<String> lines = SidecarImage.dockerfileLines(SidecarImage.context());
        assertThat(lines.get(0))
                .as("a Java 17 JRE base")
                .matches("FROM (eclipse-temurin:17-jre\\S*|gcr.io/distroless/java17\\S*)");
        assertThat(lines).contains("ENTRYPOINT [\"" + SidecarImage.HOME + "/bin/entrypoint.sh\"]");
        String fsGroup =
                String.valueOf(
                        Tree.at(
                                Kustomize.overlay("operator").taskManagerPod(),
                                "securityContext",
                                "fsGroup"));
        assertThat(lines)
                .as("runs as a non-root user in the pod's socket group")
                .contains("USER 10001:" + fsGroup);

        // Class loading of the sidecar's own classes must come from the archive ("shared objects
        // file (top)").
        ProcessBuilder builder =
                new ProcessBuilder(image.entrypointCommand()).redirectErrorStream(true);
        builder.command().add("--version");
        SidecarImage.environment(builder.environment())
                .put("SIDECAR_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("dev.flinksidecar.sidecar.Main source: shared objects file (top)");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void containerArgsAreAcceptedAndTheProbesAnswer(String overlay) throws Exception {
        Rendered rendered = Kustomize.overlay(overlay);
        Map<String, Object> container = rendered.sidecar();
        Path root = temp.resolve("pod");
        writeRules(root, rendered, container, rules(rendered), 1);

        String socket;
        SidecarImage image = SidecarImage.get();
        long start = System.nanoTime();
        try (SidecarPod pod = SidecarPod.start(image, root, container)) {
            // The probes as rendered: the startup probe's path turns 200 once the sidecar is up,
            // then all answer 200.
            pod.awaitStatus200(probePath(container, "startupProbe"));
            System.out.printf(
                    "sidecar container (%s): start to %s 200 in %d ms (with the image's CDS archive)%n",
                    overlay,
                    probePath(container, "startupProbe"),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                assertThat(pod.get(probePath(container, probe)))
                        .as(probe + " " + probePath(container, probe))
                        .isEqualTo(200);
            }
            assertThat(pod.get("/metrics")).as("/metrics").isEqualTo(200);
            // Netty's native library is mapped from the image's lib/, not from a copy it made in
            // /tmp
            String library =
                    image.path(SidecarImage.HOME + "/lib").toRealPath()
                            + "/libnetty_transport_native_epoll_x86_64.so";
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(pod.jvm().pid()), "maps")))
                    .as("the JVM's mapped files")
                    .filteredOn(l -> l.contains("netty_transport_native_epoll"))
                    .isNotEmpty()
                    .allMatch(l -> l.endsWith(library));

            socket = pod.local(Containers.option(Containers.args(container), "--socket", overlay));
            Path socketDir = Path.of(socket).getParent();
            assertThat(Path.of(socket)).exists();
            assertThat(
                            PosixFilePermissions.toString(
                                    Files.getPosixFilePermissions(
                                            Path.of(socket), LinkOption.NOFOLLOW_LINKS)))
                    .as("socket file: owner and group only")
                    .isEqualTo("rw-rw----");
            assertThat(
                            String.valueOf(
                                    Files.getAttribute(
                                            Path.of(socket),
                                            "unix:gid",
                                            LinkOption.NOFOLLOW_LINKS)))
                    .as("socket file's group: the pod's fsGroup")
                    .isEqualTo(
                            String.valueOf(
                                    Tree.at(
                                            rendered.taskManagerPod(),
                                            "securityContext",
                                            "fsGroup")));
            assertThat(
                            PosixFilePermissions.toString(
                                    Files.getPosixFilePermissions(
                                            Path.of(socket + ".admin"), LinkOption.NOFOLLOW_LINKS)))
                    .as("admin socket file: the sidecar's user only")
                    .isEqualTo("rw-------");
            assertThat(Files.getPosixFilePermissions(socketDir))
                    .as("socket folder: owner and group only")
                    .doesNotContainAnyElementsOf(OTHERS);
            assertThat(pod.stop()).as("SIGTERM: a graceful stop").isIn(0, 143);
        }
        assertThat(Path.of(socket)).as("the sidecar removes its socket on SIGTERM").doesNotExist();
    }

    @Test
    void rulesOfTheConfigMapLoadAndAnUpdatedConfigMapIsHotSwapped() throws Exception {
        Path overlay = Files.createDirectories(temp.resolve("overlay"));
        Files.copy(example("threshold.jar"), overlay.resolve("threshold.jar"));
        Files.writeString(
                overlay.resolve("threshold.json"),
                "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 1000}");
        // What README "Rules in Kubernetes" tells users to write.
        Files.writeString(
                overlay.resolve("kustomization.yaml"),
                String.join(
                        "\n",
                        "resources:",
                        "  - " + overlay.relativize(Kustomize.K8S.resolve("overlays/standalone")),
                        "configMapGenerator:",
                        "  - name: flink-sidecar-rules",
                        "    behavior: merge",
                        "    files:",
                        "      - threshold.jar",
                        "      - threshold.json",
                        ""));
        Rendered rendered = Kustomize.render(overlay);
        Map<String, byte[]> files = rules(rendered);
        assertThat(files).containsOnlyKeys("threshold.jar", "threshold.json");
        assertThat(files.get("threshold.jar"))
                .isEqualTo(Files.readAllBytes(example("threshold.jar")));
        assertThat(rendered.find("ConfigMap", "flink-sidecar-rules"))
                .as("no name hash: updates reach running pods")
                .isNotNull();

        Map<String, Object> container = rendered.sidecar();
        Path root = temp.resolve("pod");
        writeRules(root, rendered, container, files, 1);
        try (SidecarPod pod = SidecarPod.start(SidecarImage.get(), root, container)) {
            pod.awaitStatus200("/health/ready");
            String admin =
                    Containers.option(Containers.args(container), "--socket", "sidecar") + ".admin";
            String before = pod.exec("admin", "--socket", admin, "list");
            assertThat(before).contains("threshold");

            files.put(
                    "threshold.json",
                    "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 5000}"
                            .getBytes(StandardCharsets.UTF_8));
            writeRules(root, rendered, container, files, 2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String after = pod.exec("admin", "--socket", admin, "list");
            while (after.equals(before)) {
                assertThat(System.nanoTime())
                        .as("the watcher deploys the updated ConfigMap within 60 s: " + after)
                        .isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(200); // polling the sidecar's state with a deadline
                after = pod.exec("admin", "--socket", admin, "list");
            }
            assertThat(after).contains("threshold");
        }
    }

    @Test
    void memoryLimitCoversTheMeasuredFootprintWithTheWholeHeap() throws Exception {
        Rendered rendered = Kustomize.overlay("operator");
        Map<String, Object> container = rendered.sidecar();
        long limit =
                quantity(
                        String.valueOf(
                                Tree.required(
                                        container, "sidecar", "resources", "limits", "memory")));
        Path root = temp.resolve("pod");
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : List.of("threshold", "merchant-watch", "windowed-aggregate")) {
            files.put(name + ".jar", Files.readAllBytes(example(name + ".jar")));
            files.put(name + ".json", Files.readAllBytes(example(name + ".json")));
        }
        writeRules(root, rendered, container, files, 1);
        try (SidecarPod pod = SidecarPod.start(SidecarImage.get(), root, container)) {
            pod.awaitStatus200("/health/ready");
            // Load: deploys (a classloader and a jar copy each), scrapes and probes.
            String admin =
                    Containers.option(Containers.args(container), "--socket", "sidecar") + ".admin";
            Path upload = Files.createDirectories(Path.of(pod.local("/tmp/upload")));
            Files.copy(example("threshold.jar"), upload.resolve("threshold.jar"));
            for (int i = 0; i < 10; i++) {
                Files.writeString(
                        upload.resolve("threshold.json"),
                        "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": "
                                + (2000 + i)
                                + "}");
                pod.exec(
                        "admin",
                        "--socket",
                        admin,
                        "deploy",
                        "/tmp/upload/threshold.jar",
                        "--config",
                        "/tmp/upload/threshold.json");
            }
            for (int i = 0; i < 200; i++) {
                assertThat(pod.get(i % 2 == 0 ? "/metrics" : "/health/ready")).isEqualTo(200);
            }
            long rss = rssBytes(pod.jvm());
            long heapCommitted = heapCommittedBytes(pod.jvm());
            long maxHeap = maxHeapBytes(pod.jvm());
            // Everything resident but the heap, plus the whole heap the launcher allows (window
            // state may
            // fill it), plus a margin for what grows with sessions (Netty's buffers, threads).
            long needed = rss - heapCommitted + maxHeap + MARGIN;
            System.out.printf(
                    "sidecar memory: RSS after load %d MiB (heap committed %d MiB), max heap %d MiB: "
                            + "RSS - heap + max heap + %d MiB margin = %d MiB; limit %d MiB%n",
                    rss >> 20,
                    heapCommitted >> 20,
                    maxHeap >> 20,
                    MARGIN >> 20,
                    needed >> 20,
                    limit >> 20);
            assertThat(limit)
                    .as(
                            "memory limit >= resident memory after load without the heap (%d MiB) + the whole heap "
                                    + "(%d MiB) + %d MiB",
                            (rss - heapCommitted) >> 20, maxHeap >> 20, MARGIN >> 20)
                    .isGreaterThanOrEqualTo(needed);
        }
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return (String) Tree.required(container, "sidecar", probe, "httpGet", "path");
    }

    /** The files of the rendered rules ConfigMap that the sidecar's rules volume names. */
    private static Map<String, byte[]> rules(Rendered rendered) {
        Map<String, Object> volume =
                Tree.named(rendered.taskManagerPod().get("volumes"), "sidecar-rules", "volumes");
        String name = (String) Tree.required(volume, "sidecar-rules", "configMap", "name");
        return ConfigMapVolume.files(rendered.find("ConfigMap", name));
    }

    /**
     * Writes the ConfigMap's files where the container mounts the rules volume (its --rules-dir).
     */
    private static void writeRules(
            Path root,
            Rendered rendered,
            Map<String, Object> container,
            Map<String, byte[]> files,
            int generation)
            throws Exception {
        String rulesDir = Containers.option(Containers.args(container), "--rules-dir", "sidecar");
        ConfigMapVolume.write(root.resolve(rulesDir.substring(1)), files, generation);
    }

    private static Path example(String file) {
        Path path = Kustomize.ROOT.resolve("examples/target/rules").resolve(file);
        assertThat(path).as("built example rule (mvn -pl examples package)").exists();
        return path;
    }

    /**
     * The heap's committed size, from {@code jcmd PID GC.heap_info} (the sum of the generations'
     * totals).
     */
    private static long heapCommittedBytes(ProcessHandle jvm) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        assertThat(jcmd).as("jcmd of the JDK running the tests").isExecutable();
        Process process =
                new ProcessBuilder(jcmd.toString(), String.valueOf(jvm.pid()), "GC.heap_info")
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Matcher total = Pattern.compile("(?:generation|heap)\\s+total (\\d+)K").matcher(output);
        long kib = 0;
        while (total.find()) {
            kib += Long.parseLong(total.group(1));
        }
        assertThat(kib).as("jcmd GC.heap_info: " + output).isPositive();
        return kib * 1024;
    }

    private static long rssBytes(ProcessHandle jvm) throws Exception {
        for (String line :
                Files.readAllLines(Path.of("/proc", String.valueOf(jvm.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in /proc/" + jvm.pid() + "/status");
    }

    /** The last -Xmx on the JVM's command line (the launcher's default, or SIDECAR_JAVA_OPTS). */
    private static long maxHeapBytes(ProcessHandle jvm) throws Exception {
        String cmdline = Files.readString(Path.of("/proc", String.valueOf(jvm.pid()), "cmdline"));
        List<String> xmx = new ArrayList<>();
        for (String arg : cmdline.split("\0")) {
            if (arg.startsWith("-Xmx")) {
                xmx.add(arg.substring(4));
            }
        }
        assertThat(xmx)
                .as("the sidecar's JVM runs with an -Xmx: " + cmdline.replace('\0', ' '))
                .isNotEmpty();
        String value = xmx.get(xmx.size() - 1).toLowerCase();
        long unit =
                Map.of('k', 1L << 10, 'm', 1L << 20, 'g', 1L << 30)
                        .getOrDefault(value.charAt(value.length() - 1), 1L);
        return Long.parseLong(value.replaceAll("[kmg]$", "")) * unit;
    }

    /** A Kubernetes memory quantity (Ki, Mi, Gi, or bytes). */
    static long quantity(String quantity) {
        Map<String, Long> units =
                Map.of(
                        "Ki",
                        1L << 10,
                        "Mi",
                        1L << 20,
                        "Gi",
                        1L << 30,
                        "M",
                        1_000_000L,
                        "G",
                        1_000_000_000L);
        for (Map.Entry<String, Long> unit :
                units.entrySet().stream()
                        .sorted((a, b) -> b.getKey().length() - a.getKey().length())
                        .collect(Collectors.toList())) {
            if (quantity.endsWith(unit.getKey())) {
                return Long.parseLong(
                                quantity.substring(0, quantity.length() - unit.getKey().length()))
                        * unit.getValue();
            }
        }
        return Long.parseLong(quantity);
    }
}
