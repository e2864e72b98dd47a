package dev.flinksidecar.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The floor of {@link StartupFootprint} ready to start: a jar of {@link FloorServer} beside Netty's
 * jars (from this JVM's class path), Netty's epoll library pre-extracted, and a class data sharing
 * archive made by a training run ({@code FloorServer SOCKET --train}), in a folder.
 */
record FloorSetup(List<String> javaAndClassPath) {

    /**
     * The floor's JVM flags: the leanest set measured for a bare Netty Unix-socket server on this
     * kind of machine (its archive and native library are added).
     */
    static final List<String> FLAGS =
            List.of(
                    "-XX:+UseSerialGC",
                    "-Xms8m",
                    "-Xmx64m",
                    "-Xss256k",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:CICompilerCount=1",
                    "-XX:ReservedCodeCacheSize=16m",
                    "-XX:-UsePerfData");

    private static final String NETTY_EPOLL_LIBRARY =
            "META-INF/native/libnetty_transport_native_epoll_x86_64.so";

    /** Lays the floor out in {@code dir} and runs its training; fails when the training does. */
    static FloorSetup prepare(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path jar = dir.resolve("floor.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> member : FloorServer.class.getNestMembers()) {
                String name = member.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                try (InputStream in =
                        FloorServer.class.getClassLoader().getResourceAsStream(name)) {
                    out.write(in.readAllBytes());
                }
            }
        }
        List<String> classPath = new ArrayList<>(List.of(jar.toString()));
        Path nativeDir = Files.createDirectories(dir.resolve("native"));
        for (String entry : System.getProperty("java.class.path").split(":")) {
            if (entry.contains("/io/netty/")) {
                classPath.add(entry);
                try (JarFile netty = new JarFile(entry)) {
                    JarEntry library = netty.getJarEntry(NETTY_EPOLL_LIBRARY);
                    if (library != null) {
                        try (InputStream in = netty.getInputStream(library)) {
                            Files.copy(
                                    in,
                                    nativeDir.resolve(Path.of(NETTY_EPOLL_LIBRARY).getFileName()));
                        }
                    }
                }
            }
        }
        Path archive = dir.resolve("floor.jsa");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString()));
        command.addAll(FLAGS);
        command.add("-Djava.library.path=" + nativeDir);
        List<String> train = new ArrayList<>(command);
        train.addAll(
                List.of(
                        "-XX:ArchiveClassesAtExit=" + archive,
                        "-Xlog:cds=error",
                        "-cp",
                        String.join(":", classPath),
                        FloorServer.class.getName(),
                        dir.resolve("train.sock").toString(),
                        "--train"));
        Process training = new ProcessBuilder(train).inheritIO().start();
        if (training.waitFor() != 0 || !Files.exists(archive)) {
            throw new IOException(
                    "the floor's training run failed (exit "
                            + training.exitValue()
                            + "): "
                            + train);
        }
        command.addAll(
                List.of(
                        "-XX:SharedArchiveFile=" + archive,
                        "-Xshare:auto",
                        "-cp",
                        String.join(":", classPath),
                        FloorServer.class.getName()));
        return new FloorSetup(command);
    }

    /**
     * The command that starts the floor on {@code socket} (the port is unused: the floor has no
     * HTTP).
     */
    List<String> command(Path socket, int port) {
        List<String> command = new ArrayList<>(javaAndClassPath);
        command.add(socket.toString());
        return command;
    }
}
