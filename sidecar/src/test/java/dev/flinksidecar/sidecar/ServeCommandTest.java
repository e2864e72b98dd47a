package dev.flinksidecar.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.ParseResult;

/**
 * {@link ServeCommand#plain}, the parser Main uses for a plain {@code serve} instead of picocli:
 * where it takes the arguments, it reads them as picocli does; everything else it leaves to picocli
 * (help, usage errors, forms it does not know).
 */
class ServeCommandTest {

    static Stream<List<String>> plainServes() {
        return Stream.of(
                List.of("serve", "--socket", "/tmp/s.sock", "--rules-dir", "rules"),
                List.of("serve", "--rules-dir", "rules", "--socket", "s.sock"),
                List.of(
                        "serve",
                        "--socket=/tmp/s.sock",
                        "--rules-dir=rules",
                        "--admin-socket=/tmp/a.sock"),
                List.of(
                        "serve",
                        "--socket",
                        "/tmp/dir with space/s.sock",
                        "--rules-dir",
                        "r",
                        "--http-port",
                        "0"),
                List.of(
                        "serve",
                        "--socket",
                        "s",
                        "--rules-dir",
                        "r",
                        "--http-port=9249",
                        "--admin-socket",
                        "a"),
                List.of(
                        "serve",
                        "--socket",
                        "s",
                        "--rules-dir",
                        "r",
                        "-C",
                        "sidecar.metrics.enabled=false",
                        "--conf",
                        "sidecar.http.host=127.0.0.1",
                        "--conf=sidecar.rules.executor-threads=4"),
                List.of(
                        "serve",
                        "--socket",
                        "s",
                        "--rules-dir",
                        "r",
                        "-C",
                        "a=b=c",
                        "-C",
                        "a=d",
                        "-C",
                        "e="));
    }

    @ParameterizedTest
    @MethodSource("plainServes")
    void aPlainServeIsReadAsPicocliReadsIt(List<String> args) {
        ServeCommand plain = ServeCommand.plain(args.toArray(new String[0]));
        // picocli throws on an option it does not know
        ParseResult parsed = SidecarCommand.commandLine().parseArgs(args.toArray(new String[0]));
        ServeCommand picocli = (ServeCommand) parsed.subcommand().commandSpec().userObject();

        assertThat(plain).as("taken by the plain parser").isNotNull();
        assertThat(plain.socket).isEqualTo(picocli.socket);
        assertThat(plain.rulesDir).isEqualTo(picocli.rulesDir);
        assertThat(plain.adminSocket).isEqualTo(picocli.adminSocket);
        assertThat(plain.httpPort).isEqualTo(picocli.httpPort);
        assertThat(plain.conf).containsExactlyEntriesOf(picocli.conf);
    }

    static Stream<List<String>> leftToPicocli() {
        return Stream.of(
                List.of(),
                List.of("replay", "--rules-dir", "r"),
                List.of("serve"),
                List.of("serve", "--help"),
                List.of("serve", "-h"),
                List.of("serve", "--socket", "s"),
                List.of("serve", "--socket", "s", "--rules-dir"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "--bogus", "x"),
                List.of("serve", "--socket", "s", "--socket", "t", "--rules-dir", "r"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "--http-port", "port"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "--http-port", "-1"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "--http-port", "0x10"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "-C", "no-equals"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "-C", "=value"),
                List.of("serve", "--socket", "s", "--rules-dir", "r", "-Ckey=value"),
                List.of("serve", "--socket", "s", "--rules-dir", "@args.txt"),
                List.of("serve", "--socket", "s\0", "--rules-dir", "r"),
                List.of("serve", "--socket=", "--rules-dir", "r"),
                List.of("serve", "--socket", "--rules-dir", "r"));
    }

    @ParameterizedTest
    @MethodSource("leftToPicocli")
    void everythingElseIsLeftToPicocli(List<String> args) {
        assertThat(ServeCommand.plain(args.toArray(new String[0])))
                .as(Arrays.toString(args.toArray()))
                .isNull();
    }
}
