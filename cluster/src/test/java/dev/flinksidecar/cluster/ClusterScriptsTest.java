package dev.flinksidecar.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts' checks that need no cluster (nor broker): wrong arguments are named, and
 * stop-cluster.sh never signals a process that is not the cluster's, even when a stale pid file
 * names it.
 */
@Timeout(120)
class ClusterScriptsTest {

    private static final Path BIN =
            Path.of(System.getProperty("project.root", ".."))
                    .toAbsolutePath()
                    .resolve("cluster/bin");

    @TempDir Path tmp;

    private Scripts scripts;

    @BeforeEach
    void scripts() throws Exception {
        scripts = new Scripts(BIN, tmp.resolve("logs"));
    }

    @Test
    void namesAWrongArgument() throws Exception {
        Scripts.Result result =
                scripts.run(
                        Duration.ofSeconds(30),
                        "start-cluster.sh",
                        "--dir",
                        tmp.resolve("c").toString(),
                        "--taskmanagers",
                        "two");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output())
                .contains("--taskmanagers wants a whole number above 0, not 'two'");

        result =
                scripts.run(
                        Duration.ofSeconds(30),
                        "stop-cluster.sh",
                        "--dir",
                        tmp.toString(),
                        "--force");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("unknown argument '--force'");
    }

    @Test
    void refusesASocketPathTooLongForUnixSockets() throws Exception {
        Path deep = Files.createDirectories(tmp.resolve("x".repeat(100)));
        Scripts.Result result =
                scripts.run(Duration.ofSeconds(30), "start-cluster.sh", "--dir", deep.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output())
                .contains("too long for a Unix socket")
                .contains("choose a shorter --dir");
    }

    @Test
    void statusAndClientNameAFolderWithoutACluster() throws Exception {
        Scripts.Result status =
                scripts.run(Duration.ofSeconds(30), "cluster-status.sh", "--dir", tmp.toString());
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.output()).contains("no cluster in " + tmp);

        Scripts.Result client =
                scripts.run(Duration.ofSeconds(30), "flink.sh", "--dir", tmp.toString(), "list");
        assertThat(client.exitCode()).isEqualTo(1);
        assertThat(client.output()).contains("start the cluster first");
    }

    @Test
    void stopLeavesAProcessAloneThatAStalePidFileNames() throws Exception {
        // this test's JVM stands for a process that reused the pid of a cluster process that died
        Path tm = Files.createDirectories(tmp.resolve("cluster/tm-1"));
        Files.writeString(
                tm.resolve("taskmanager.pid"), String.valueOf(ProcessHandle.current().pid()));
        Files.writeString(tm.resolve("sidecar.pid"), "not a pid");
        Files.writeString(tm.resolve("sidecar.sock"), "");

        Scripts.Result result =
                scripts.run(
                        Duration.ofSeconds(30),
                        "stop-cluster.sh",
                        "--dir",
                        tmp.resolve("cluster").toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
        assertThat(tm.resolve("taskmanager.pid")).doesNotExist();
        assertThat(tm.resolve("sidecar.pid")).doesNotExist();
        assertThat(tm.resolve("sidecar.sock")).doesNotExist();
    }

    @Test
    void theKafkaScriptsNameWhatIsWrong() throws Exception {
        Scripts.Result result =
                scripts.run(
                        Duration.ofSeconds(30),
                        "start-kafka.sh",
                        "--dir",
                        tmp.resolve("k").toString(),
                        "--port",
                        "ninety");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output())
                .contains("--port wants a port number from 1 to 65535, not 'ninety'");

        result =
                scripts.run(
                        Duration.ofSeconds(30),
                        "kafka.sh",
                        "--dir",
                        tmp.toString(),
                        "create-topic",
                        "t");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output())
                .contains("no broker runs in " + tmp)
                .contains("--bootstrap HOST:PORT");

        result = scripts.run(Duration.ofSeconds(30), "stop-kafka.sh", "--dir", tmp.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("no broker runs in " + tmp);
    }
}
