package dev.flinksidecar.sidecar;

import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.ListRequest;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may use a real sidecar process's sockets: their modes whatever the umask it starts with, the
 * group setting, and the SO_PEERCRED check of every connection against a client of another user
 * ({@link ForeignPeer}).
 */
@Timeout(180)
class SocketAccessITCase {

    @TempDir Path dir;

    private Path rules;
    private Path socket;
    private Path admin;

    @BeforeEach
    void setUp() throws IOException {
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        Path sockets = Files.createDirectory(dir.resolve("run"));
        socket = sockets.resolve("sidecar.sock");
        admin = sockets.resolve("sidecar.sock.admin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"022", "000"})
    void socketsAndJarStoreAreOwnerOnlyWhateverTheUmask(String umask) throws Exception {
        Path store = dir.resolve("store");
        try (ServeProcess sidecar =
                ServeProcess.startWithUmask(
                                dir.resolve("sidecar.log"),
                                umask,
                                serve("--conf", "sidecar.rules.store-dir=" + store))
                        .awaitAccepting()) {
            assertThat(mode(socket)).as("data socket under umask " + umask).isEqualTo("rw-------");
            assertThat(mode(admin)).as("admin socket under umask " + umask).isEqualTo("rw-------");
            assertThat(mode(store)).as("jar store").isEqualTo("rwx------");
            try (Stream<Path> jars = Files.list(store)) {
                assertThat(jars.toList())
                        .as("the stored jar")
                        .hasSize(1)
                        .allSatisfy(jar -> assertThat(mode(jar)).isEqualTo("rw-------"));
            }
            try (Stream<Path> files = Files.list(socket.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .as("the private bind folders are gone; the crash record is there")
                        .containsExactlyInAnyOrder(
                                "sidecar.sock", "sidecar.sock.admin", "sidecar.sock.running");
            }
            assertThat(mode(Path.of(socket + ".running")))
                    .as("crash record")
                    .isEqualTo("rw-------");
            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(hello());
                assertThat(client.receive().hasWelcome())
                        .as("the sidecar's own user is let in")
                        .isTrue();
            }
        }
    }

    @Test
    void aSocketGroupMakesTheDataSocketGroupReadableAndLeavesTheAdminSocketOwnerOnly()
            throws Exception {
        try (ServeProcess sidecar =
                ServeProcess.startWithUmask(
                                dir.resolve("sidecar.log"),
                                "000",
                                serve(
                                        "--conf",
                                        "sidecar.transport.socket-group=" + ForeignPeer.GID))
                        .awaitAccepting()) {
            PosixFileAttributes data =
                    Files.readAttributes(
                            socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertThat(PosixFilePermissions.toString(data.permissions())).isEqualTo("rw-rw----");
            assertThat(Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(ForeignPeer.GID);
            assertThat(mode(admin)).isEqualTo("rw-------");
        }
    }

    /** Both transports: epoll reports numbers, the JDK's NIO channels names. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anotherUsersConnectionIsRefusedOnBothSockets(boolean nativeTransport) throws Exception {
        ForeignPeer.assumeAvailable();
        ForeignPeer.openToOthers(socket.getParent());
        // the group lets the other user open the socket files: what is left is the peer check
        try (ServeProcess sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                serve(
                                        "--conf",
                                        "sidecar.transport.native=" + nativeTransport,
                                        "--conf",
                                        "sidecar.transport.socket-group=" + ForeignPeer.GID,
                                        "--conf",
                                        "sidecar.admin.socket-group=" + ForeignPeer.GID))
                        .awaitAccepting()) {
            ServerMessage answer =
                    ServerMessage.parseFrom(
                            ForeignPeer.exchange(dir, socket, TestingFrames.frame(hello())));
            assertThat(answer.hasRefusal()).as(answer.toString()).isTrue();
            assertThat(answer.getRefusal().getReason())
                    .startsWith("uid " + ForeignPeer.UID + " (gid " + ForeignPeer.GID)
                    .contains("sidecar.transport.allowed-uids")
                    .contains("sidecar.transport.allowed-gids");

            AdminResponse response =
                    AdminResponse.parseFrom(ForeignPeer.exchange(dir, admin, listRequest()));
            assertThat(response.getOk()).isFalse();
            assertThat(response.getCode()).isEqualTo("FORBIDDEN");
            assertThat(response.getMessage())
                    .startsWith("uid " + ForeignPeer.UID + " (gid " + ForeignPeer.GID)
                    .contains("sidecar.admin.allowed-uids");

            assertThat(sidecar.logText())
                    .contains("refused a connection on " + socket + ": uid " + ForeignPeer.UID)
                    .contains("refused a connection on " + admin + ": uid " + ForeignPeer.UID)
                    .as("a refused peer never makes a session")
                    .doesNotContain("session-");
            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(hello());
                assertThat(client.receive().hasWelcome()).as("the own user still").isTrue();
            }
        }
    }

    /** Both transports: epoll reports numbers, the JDK's NIO channels names. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anAllowedGidOrUidLetsTheOtherUserIn(boolean nativeTransport) throws Exception {
        ForeignPeer.assumeAvailable();
        ForeignPeer.openToOthers(socket.getParent());
        try (ServeProcess sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                serve(
                                        "--conf",
                                        "sidecar.transport.native=" + nativeTransport,
                                        "--conf",
                                        "sidecar.transport.socket-group=" + ForeignPeer.GID,
                                        "--conf",
                                        "sidecar.transport.allowed-gids=" + ForeignPeer.GID,
                                        "--conf",
                                        "sidecar.admin.socket-group=" + ForeignPeer.GID,
                                        "--conf",
                                        "sidecar.admin.allowed-uids=" + ForeignPeer.UID))
                        .awaitAccepting()) {
            ServerMessage answer =
                    ServerMessage.parseFrom(
                            ForeignPeer.exchange(dir, socket, TestingFrames.frame(hello())));
            assertThat(answer.hasWelcome()).as(answer.toString()).isTrue();

            AdminResponse response =
                    AdminResponse.parseFrom(ForeignPeer.exchange(dir, admin, listRequest()));
            assertThat(response.getOk()).as(response.toString()).isTrue();
            assertThat(response.getRulesList()).extracting(r -> r.getId()).contains("threshold");
        }
    }

    @Test
    void withoutTheGroupTheOtherUserCannotEvenOpenTheSocket() throws Exception {
        ForeignPeer.assumeAvailable();
        ForeignPeer.openToOthers(socket.getParent());
        try (ServeProcess sidecar =
                ServeProcess.startWithUmask(dir.resolve("sidecar.log"), "000", serve())
                        .awaitAccepting()) {
            assertThatThrownBy(
                            () -> ForeignPeer.exchange(dir, socket, TestingFrames.frame(hello())))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Permission denied");
        }
    }

    private String[] serve(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static byte[] listRequest() {
        byte[] request =
                AdminRequest.newBuilder()
                        .setList(ListRequest.getDefaultInstance())
                        .build()
                        .toByteArray();
        return ByteBuffer.allocate(4 + request.length).putInt(request.length).put(request).array();
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
