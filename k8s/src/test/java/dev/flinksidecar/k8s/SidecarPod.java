package dev.flinksidecar.k8s;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar container of a TaskManager pod, run on this machine from {@link SidecarImage} with
 * the container's rendered args and env: paths of the image map into the image's folder, every
 * other absolute path into this pod's folder ({@code root + path}: its volumes), and {@code
 * --http-port} becomes 0 (a free port, which the sidecar logs). What the test checks of the
 * rendered manifests is thereby what runs.
 */
final class SidecarPod implements AutoCloseable {

    private static final Pattern HTTP_PORT = Pattern.compile("HTTP on port (\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final SidecarImage image;
    final Path root;
    final Map<String, Object> container;
    final Path log;
    private final Process process;
    private int httpPort = -1;

    private SidecarPod(
            SidecarImage image,
            Path root,
            Map<String, Object> container,
            Path log,
            Process process) {
        this.image = image;
        this.root = root;
        this.container = container;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the container's entrypoint with its args. Its emptyDir mounts are made as empty
     * folders; other volumes (the rules) must be in place under {@code root} already.
     */
    static SidecarPod start(SidecarImage image, Path root, Map<String, Object> container)
            throws IOException {
        for (Object node : Tree.list(container.get("volumeMounts"), "volumeMounts")) {
            Files.createDirectories(
                    localPath(image, root, (String) Tree.map(node, "mount").get("mountPath")));
        }
        List<String> command = image.entrypointCommand();
        List<String> args = Containers.args(container);
        for (int i = 0; i < args.size(); i++) {
            boolean port = i > 0 && args.get(i - 1).equals("--http-port");
            command.add(
                    port
                            ? "0"
                            : args.get(i).startsWith("/")
                                    ? localPath(image, root, args.get(i)).toString()
                                    : args.get(i));
        }
        Path log = root.resolve("sidecar.log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        SidecarImage.environment(builder.environment());
        // The container's /tmp is a volume: java.io.tmpdir (the jar store) in this pod's folder.
        builder.environment()
                .put(
                        "SIDECAR_JAVA_OPTS",
                        env(container, "SIDECAR_JAVA_OPTS")
                                + " -Djava.io.tmpdir="
                                + local(image, root, "/tmp"));
        builder.environment().put("TMPDIR", local(image, root, "/tmp"));
        return new SidecarPod(image, root, container, log, builder.start());
    }

    /** The local path of the container's {@code path}. */
    String local(String path) {
        return local(image, root, path);
    }

    static String local(SidecarImage image, Path root, String path) {
        return localPath(image, root, path).toString();
    }

    private static Path localPath(SidecarImage image, Path root, String path) {
        if (path.equals(SidecarImage.HOME) || path.startsWith(SidecarImage.HOME + "/")) {
            return image.path(path);
        }
        return root.resolve(path.substring(1));
    }

    /** The port the sidecar logged ({@code HTTP on port N}). */
    synchronized int httpPort() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (httpPort < 0) {
            String output = Files.readString(log);
            Matcher matcher = HTTP_PORT.matcher(output);
            if (matcher.find()) {
                httpPort = Integer.parseInt(matcher.group(1));
            } else if (!process.isAlive()) {
                throw new AssertionError(
                        "the sidecar exited ("
                                + process.exitValue()
                                + ") before logging 'HTTP on port N': "
                                + Files.readString(log));
            } else if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the sidecar did not log 'HTTP on port N' within "
                                + START_TIMEOUT.toSeconds()
                                + " s: "
                                + Files.readString(log));
            } else {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
        return httpPort;
    }

    /** Polls {@code path} until it answers 200. */
    void awaitStatus200(String path) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int status = get(path);
        while (status != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "GET "
                                + path
                                + " answered "
                                + status
                                + ", not 200 (sidecar alive: "
                                + process.isAlive()
                                + "): "
                                + Files.readString(log));
            }
            process.waitFor(20, TimeUnit.MILLISECONDS);
            status = get(path);
        }
    }

    /** The status of a GET of {@code path} on the sidecar's HTTP port; -1 when nothing answers. */
    int get(String path) throws IOException, InterruptedException {
        HttpURLConnection connection =
                (HttpURLConnection)
                        new URL("http://127.0.0.1:" + httpPort() + path).openConnection();
        connection.setConnectTimeout(2000);
        connection.setReadTimeout(5000);
        try {
            int status = connection.getResponseCode();
            (status < 400 ? connection.getInputStream() : connection.getErrorStream())
                    .readAllBytes();
            return status;
        } catch (IOException e) {
            return -1;
        } finally {
            connection.disconnect();
        }
    }

    /**
     * Runs the image's launcher {@code bin/sidecar ARGS} in the container (as {@code kubectl exec}
     * would: absolute paths are the container's); returns its output, failing on an error.
     */
    String exec(String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(image.path(SidecarImage.HOME + "/bin/sidecar").toString()));
        for (String arg : args) {
            command.add(arg.startsWith("/") ? local(arg) : arg);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        SidecarImage.environment(builder.environment());
        Process exec = builder.start();
        String output = new String(exec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exec.waitFor(60, TimeUnit.SECONDS) || exec.exitValue() != 0) {
            throw new AssertionError("sidecar " + String.join(" ", args) + " failed: " + output);
        }
        return output;
    }

    /** The JVM's process (the entrypoint and the launcher exec it). */
    ProcessHandle jvm() {
        return process.toHandle();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as the kubelet stops a container; waits for the exit. Returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    /** The value of the container's env variable {@code name}, or "". */
    static String env(Map<String, Object> container, String name) {
        Map<String, Object> variable = Tree.named(container.get("env"), name, "env");
        return variable == null ? "" : String.valueOf(variable.get("value"));
    }
}
