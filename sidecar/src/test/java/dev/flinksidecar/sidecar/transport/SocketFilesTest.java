package dev.flinksidecar.sidecar.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketFilesTest {

    @TempDir Path dir;

    @Test
    void aStaleSocketFileIsDeleted() throws Exception {
        Path socket = dir.resolve("stale.sock");
        staleSocket(socket);
        assertThat(socket).exists();

        SocketFiles.prepare(socket);

        assertThat(socket).doesNotExist();
    }

    @Test
    void aSocketSomeoneAcceptsOnIsRefused() throws Exception {
        Path socket = dir.resolve("live.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));

            assertThatThrownBy(() -> SocketFiles.prepare(socket))
                    .isInstanceOf(SocketPathException.class)
                    .hasMessage(
                            "another process is accepting connections on "
                                    + socket
                                    + "; stop it or choose another --socket")
                    .satisfies(e -> assertThat(((SocketPathException) e).inUse()).isTrue());
            assertThat(socket).exists();
        }
    }

    @Test
    void aRegularFileIsNotReplaced() throws Exception {
        Path file = Files.writeString(dir.resolve("data.sock"), "precious");

        assertThatThrownBy(() -> SocketFiles.prepare(file))
                .isInstanceOf(SocketPathException.class)
                .hasMessage(file + " exists and is not a socket; refusing to replace it");
        assertThat(file).hasContent("precious");
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path socket = dir.resolve("nope/sidecar.sock");

        assertThatThrownBy(() -> SocketFiles.prepare(socket))
                .isInstanceOf(SocketPathException.class)
                .hasMessage(
                        "cannot create socket "
                                + socket
                                + ": directory "
                                + socket.getParent()
                                + " does not exist");
    }

    @Test
    void aPathTooLongForASocketIsNamed() {
        Path socket = dir.resolve("x".repeat(120) + ".sock");

        assertThatThrownBy(() -> SocketFiles.prepare(socket))
                .isInstanceOf(SocketPathException.class)
                .hasMessageStartingWith("socket path " + socket + " is ")
                .hasMessageEndingWith("a Unix domain socket path holds at most 107 bytes");
    }

    @Test
    void aPathThatLeavesNoRoomForThePrivateBindFolderIsNamed() {
        // the socket path itself fits (107 bytes), with "/.sXXXXXX" in front of its name not
        Path socket =
                dir.resolve("x".repeat(SocketFiles.MAX_PATH_BYTES - dir.toString().length() - 1));
        assertThat(socket.toString()).hasSize(SocketFiles.MAX_PATH_BYTES);

        assertThatThrownBy(() -> SocketFiles.prepare(socket))
                .isInstanceOf(SocketPathException.class)
                .hasMessage(
                        "socket path "
                                + socket
                                + " is too long: the sidecar binds it first in a private folder"
                                + " beside it, a path of 116 bytes, and a Unix domain socket path"
                                + " holds at most 107 bytes");
    }

    /**
     * Leaves a socket file nobody accepts on, as a killed process does (the JDK does not unlink on
     * close).
     */
    static void staleSocket(Path socket) throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(socket));
        }
    }
}
