package dev.flinksidecar.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's errors: one line naming the problem, exit code 2 for usage, 1 for failures.
 */
class MainTest {

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        assertThat(run("serve", "--socket", "s", "--rules-dir", "r", "--bogus")).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("sidecar serve: Unknown option: '--bogus'")
                .contains("Run 'java -jar sidecar.jar serve --help' for usage.");
    }

    @Test
    void aMissingFlagIsAUsageError() {
        assertThat(run("serve", "--socket", dir.resolve("s.sock").toString())).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("sidecar serve: Missing required option: '--rules-dir=DIR'");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).startsWith("sidecar: missing a command: serve, replay or admin");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run("serv")).isEqualTo(2);
        assertThat(err.toString()).startsWith("sidecar: Unmatched argument at index 0: 'serv'");
    }

    @Test
    void aMissingRulesDirectoryIsNamed() {
        Path rules = dir.resolve("rules");
        assertThat(
                        run(
                                "serve",
                                "--socket",
                                dir.resolve("s.sock").toString(),
                                "--rules-dir",
                                rules.toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo(
                        "sidecar serve: rules directory "
                                + rules
                                + " does not exist"
                                + System.lineSeparator());
    }

    @Test
    void anUncreatableSocketIsNamed() throws IOException {
        Path socket = dir.resolve("missing/s.sock");
        Files.createDirectory(dir.resolve("rules"));
        assertThat(
                        run(
                                "serve",
                                "--socket",
                                socket.toString(),
                                "--rules-dir",
                                dir.resolve("rules").toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo(
                        "sidecar serve: cannot create socket "
                                + socket
                                + ": directory "
                                + socket.getParent()
                                + " does not exist"
                                + System.lineSeparator());
    }

    @Test
    void anUnknownSettingIsNamed() throws IOException {
        Files.createDirectory(dir.resolve("rules"));
        assertThat(
                        run(
                                "serve",
                                "--socket",
                                dir.resolve("s.sock").toString(),
                                "--rules-dir",
                                dir.resolve("rules").toString(),
                                "--conf",
                                "sidecar.rules.threads=2"))
                .isEqualTo(2);
        assertThat(err.toString())
                .startsWith("sidecar serve: unknown setting 'sidecar.rules.threads'");
    }

    @Test
    void replayWithABadRuleJarFailsNamingIt() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "good", 1);
        TestingRuleJars.jar(rules, "empty", "1.0.0", TestingRuleJars.NOT_A_RULE);
        Path input =
                Files.writeString(
                        dir.resolve("in.jsonl"), "{\"key\":\"k\",\"time\":1,\"amount\":5}\n");

        int code =
                run(
                        "replay",
                        "--rules-dir",
                        rules.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("out.jsonl").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("sidecar replay: rule jar empty.jar has no rule");
    }

    @Test
    void replayWithABadDurationIsAUsageError() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Path input = Files.writeString(dir.resolve("in.jsonl"), "");

        int code =
                run(
                        "replay",
                        "--rules-dir",
                        rules.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("out.jsonl").toString(),
                        "--out-of-orderness",
                        "5 seconds");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("sidecar replay: --out-of-orderness: '5 seconds' is not a duration");
    }

    @Test
    void replayWithAMissingInputIsAUsageError() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Path input = dir.resolve("in.jsonl");

        int code =
                run(
                        "replay",
                        "--rules-dir",
                        rules.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("o").toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo(
                        "sidecar replay: input "
                                + input
                                + " does not exist"
                                + System.lineSeparator());
    }

    @Test
    void anHttpPortInUseIsNamedAndNothingIsLeftBehind() throws IOException {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 1);
        Path socket = dir.resolve("s.sock");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            int code =
                    run(
                            "serve",
                            "--socket",
                            socket.toString(),
                            "--rules-dir",
                            rules.toString(),
                            "--http-port",
                            String.valueOf(port),
                            "-C",
                            "sidecar.http.host=127.0.0.1");

            assertThat(code).isEqualTo(1);
            assertThat(err.toString())
                    .startsWith("sidecar serve: cannot serve HTTP on 127.0.0.1:" + port + ": ")
                    .contains("in use");
        }
        assertThat(socket).doesNotExist();
        assertThat(Path.of(socket + ".admin")).doesNotExist();
    }

    @Test
    void versionAndHelpWork() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("flink-sidecar ");
        assertThat(run("serve", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--socket=PATH",
                        "--rules-dir=DIR",
                        "--admin-socket=PATH",
                        "--http-port=PORT");
    }
}
