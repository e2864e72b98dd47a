package dev.flinksidecar.sidecar;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of another user: {@code setpriv --reuid=65534 --regid=65534 --clear-groups} (nobody,
 * nogroup) running a single-file Java program that connects to a socket, sends one frame and prints
 * the payload of the first frame it receives. Only the JDK is on its class path (the test class
 * path is under root's home, which that user cannot read), so the test makes the frame and parses
 * the answer. Needs root and {@code setpriv}: {@link #assumeAvailable()} skips otherwise.
 */
final class ForeignPeer {

    static final int UID = 65534;
    static final int GID = 65534;

    private static final String PROGRAM =
            String.join(
                    "\n",
                    "import java.net.*;",
                    "import java.nio.ByteBuffer;",
                    "import java.nio.channels.SocketChannel;",
                    "import java.nio.file.*;",
                    "public class Peer {",
                    "  public static void main(String[] args) throws Exception {",
                    "    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {",
                    "      c.connect(UnixDomainSocketAddress.of(args[0]));",
                    "      ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1])));",
                    "      while (out.hasRemaining()) c.write(out);",
                    "      ByteBuffer header = read(c, 4);",
                    "      System.out.write(read(c, header.getInt()).array());",
                    "      System.out.flush();",
                    "    }",
                    "  }",
                    "  static ByteBuffer read(SocketChannel c, int n) throws Exception {",
                    "    ByteBuffer b = ByteBuffer.allocate(n);",
                    "    while (b.hasRemaining()) if (c.read(b) < 0) throw new java.io.EOFException(\"closed\");",
                    "    return b.flip();",
                    "  }",
                    "}",
                    "");

    private ForeignPeer() {}

    /** Skips the test unless it runs as root on a machine with {@code setpriv}. */
    static void assumeAvailable() throws IOException, InterruptedException {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "setpriv is needed to run a client as another user");
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        id.waitFor(10, TimeUnit.SECONDS);
        assumeTrue(uid.equals("0"), "only root can run a client as another user");
    }

    /**
     * Makes {@code dir} and its parent traversable by others ({@code rwx--x--x}) so that the other
     * user can reach a socket in it, as far as the socket's own mode lets it.
     */
    static void openToOthers(Path dir) throws IOException {
        for (Path d : List.of(dir.getParent(), dir)) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
        }
    }

    /**
     * Connects to {@code socket} as uid/gid 65534, sends {@code frame}, and returns the payload of
     * the first frame answered.
     *
     * @param work a folder for the program and the frame, made readable to that user
     * @throws AssertionError with the client's stderr when it could not connect or read an answer
     */
    static byte[] exchange(Path work, Path socket, byte[] frame)
            throws IOException, InterruptedException {
        Path folder = Files.createDirectories(work.resolve("foreign-peer"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path program = Files.writeString(folder.resolve("Peer.java"), PROGRAM);
        Path request = Files.write(folder.resolve("request.bin"), frame);
        for (Path file : List.of(program, request)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path stderr = folder.resolve("stderr.txt");
        Process process =
                new ProcessBuilder(
                                "setpriv",
                                "--reuid=" + UID,
                                "--regid=" + GID,
                                "--clear-groups",
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:-UsePerfData",
                                "-Duser.home=/nonexistent",
                                program.toString(),
                                socket.toString(),
                                request.toString())
                        .directory(folder.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        byte[] answer = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the client of uid " + UID + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    "the client of uid "
                            + UID
                            + " failed ("
                            + process.exitValue()
                            + "): "
                            + Files.readString(stderr));
        }
        return answer;
    }
}
