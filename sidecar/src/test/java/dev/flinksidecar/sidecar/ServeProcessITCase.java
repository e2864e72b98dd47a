package dev.flinksidecar.sidecar;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as a real child process, spoken to over a real Unix socket by the JDK's own client.
 */
@Timeout(180)
class ServeProcessITCase {

    @TempDir Path dir;

    private Path rules;
    private Path socket;

    @BeforeEach
    void setUp() throws IOException {
        rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        TestingRuleJars.jar(rules, "empty", "1.0.0", TestingRuleJars.NOT_A_RULE);
        socket = dir.resolve("sidecar.sock");
    }

    @Test
    void replacesAStaleSocketServesRulesAndStopsCleanlyOnSigterm() throws Exception {
        staleSocket(socket);
        try (ServeProcess sidecar =
                ServeProcess.start(
                                dir.resolve("sidecar.log"),
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                rules.toString())
                        .awaitAccepting()) {
            assertThat(sidecar.logText())
                    .contains("replaced stale socket file " + socket)
                    .contains("refused: rule jar empty.jar has no rule");

            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(hello());
                client.send(events(TestingBatches.batch(1, "small=50", "big=500")));

                assertThat(client.receive().getWelcome().getRulesList())
                        .extracting(
                                r ->
                                        TestingVersions.normalisedRef(
                                                r.getId() + "@" + r.getVersion(), rules))
                        .containsExactly("threshold@1.0.0");
                ResultBatch results = client.receive().getResults();
                assertThat(results.getSequence()).isEqualTo(1);
                assertThat(results.getResultsList())
                        .extracting(r -> r.getKey())
                        .containsExactly("big");

                sidecar.terminate();
                ServerMessage last = client.receive();
                assertThat(last.getError().getCode()).isEqualTo("SHUTDOWN");
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(sidecar.awaitExit()).as("exit code after SIGTERM").isEqualTo(0);
            assertThat(sidecar.logText()).contains("stopped; removed " + socket);
        }
        assertThat(socket).doesNotExist();
        assertThat(Path.of(socket + ".admin")).as("the admin socket").doesNotExist();
    }

    @Test
    void refusesToStartWhileAnotherSidecarAcceptsOnTheSocket() throws Exception {
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socket));
            try (ServeProcess sidecar =
                    ServeProcess.start(
                            dir.resolve("second.log"),
                            "serve",
                            "--socket",
                            socket.toString(),
                            "--rules-dir",
                            rules.toString())) {
                assertThat(sidecar.awaitExit()).isEqualTo(1);
                assertThat(sidecar.logText().strip())
                        .isEqualTo(
                                "sidecar serve: another process is accepting connections on "
                                        + socket
                                        + "; stop it or choose another --socket");
            }
            assertThat(socket).exists();
        }
    }

    @Test
    void aMissingRulesDirectoryExitsWithAUsageError() throws Exception {
        Path missing = dir.resolve("no-rules");
        try (ServeProcess sidecar =
                ServeProcess.start(
                        dir.resolve("sidecar.log"),
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--rules-dir",
                        missing.toString())) {
            assertThat(sidecar.awaitExit()).isEqualTo(2);
            assertThat(sidecar.logText().strip())
                    .isEqualTo("sidecar serve: rules directory " + missing + " does not exist");
        }
        assertThat(socket).doesNotExist();
    }

    private static void staleSocket(Path socket) throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
    }
}
