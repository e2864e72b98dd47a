package dev.flinksidecar.sidecar.admin;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.DeployRequest;
import dev.flinksidecar.proto.JvmStatus;
import dev.flinksidecar.proto.LoaderStatus;
import dev.flinksidecar.proto.RemoveRequest;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.StatusRequest;
import dev.flinksidecar.rule.testing.RuleJarBuilder;
import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingVersions;
import dev.flinksidecar.sidecar.rules.SwapRules;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No classloader leaks across hot swaps, in a sidecar JVM whose Metaspace is capped at 64 MiB: 500
 * swaps of a rule jar of 300 classes (about 150 MiB of class metadata if nothing were unloaded),
 * each followed by a batch of a live session that switches to it; then every retired loader must
 * have been collected, Metaspace be back within 8 MiB and the thread count where it started.
 * Finally a rule that leaks its loader (a thread that never ends) is reported in {@code status},
 * with the thread.
 */
@Timeout(300)
class RuleLeakITCase {

    private static final int SWAPS = 500;
    private static final int HELPER_CLASSES = 300;
    private static final long MIB = 1024 * 1024;

    @TempDir Path dir;

    private Path adminSocket;

    @Test
    void fiveHundredSwapsLeaveNoLoaderMetaspaceOrThreadBehindAndALeakyRuleIsReported()
            throws Exception {
        byte[] jar =
                RuleJarBuilder.jar("many")
                        .sources(SwapRules.manyClasses(HELPER_CLASSES))
                        .rules("testrules.Many")
                        .bytes();
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Path socket = dir.resolve("s.sock");
        adminSocket = Path.of(socket + ".admin");
        try (ServeProcess sidecar =
                        ServeProcess.start(
                                        dir.resolve("sidecar.log"),
                                        List.of(
                                                "-XX:MaxMetaspaceSize=64m",
                                                "-XX:-UseDynamicNumberOfCompilerThreads"),
                                        "serve",
                                        "--socket",
                                        socket.toString(),
                                        "--rules-dir",
                                        rules.toString(),
                                        "-C",
                                        "sidecar.rules.executor-threads=1",
                                        "-C",
                                        "sidecar.rules.watch-interval=0ms",
                                        "-C",
                                        "sidecar.rules.unload-deadline=2s",
                                        "-C",
                                        "sidecar.rules.unload-check-interval=200ms")
                                .awaitAccepting();
                TestingClient session = TestingClient.connect(socket)) {
            session.send(hello());
            session.receive();
            long sequence = 0;
            for (int warmUp = 0; warmUp < 3; warmUp++) {
                swap(session, jar, "0.0." + warmUp, ++sequence);
            }
            JvmStatus start = settledStatus(3).getJvm();

            for (int i = 1; i <= SWAPS; i++) {
                swap(session, jar, "1.0." + i, ++sequence);
            }

            LoaderStatus loaders = settledStatus(SWAPS + 3).getLoaders();
            assertThat(loaders.getLeakedList()).isEmpty();
            assertThat(loaders.getCollected())
                    .as("every retired loader collected")
                    .isGreaterThanOrEqualTo(SWAPS + 2);
            JvmStatus end = status(true).getJvm();
            assertThat(end.getMetaspaceUsedBytes())
                    .as(
                            "Metaspace after a full GC, started at %d MiB",
                            start.getMetaspaceUsedBytes() / MIB)
                    .isLessThanOrEqualTo(start.getMetaspaceUsedBytes() + 8 * MIB);
            assertThat(end.getUnloadedClasses() - start.getUnloadedClasses())
                    .isGreaterThanOrEqualTo((long) SWAPS * HELPER_CLASSES);
            Deadline.await(
                    "the thread count to be back at " + start.getLiveThreads(),
                    Duration.ofSeconds(30),
                    () -> status(false).getJvm().getLiveThreads() <= start.getLiveThreads());
            assertThat(sidecar.logText()).doesNotContain("OutOfMemoryError");

            leakyRuleIsReported(session, ++sequence);
        }
    }

    private void leakyRuleIsReported(TestingClient session, long sequence) throws Exception {
        byte[] leaky =
                RuleJarBuilder.jar("leaky")
                        .version("1.0.0")
                        .source(SwapRules.LEAKY)
                        .rules("testrules.Leaky")
                        .bytes();
        // it starts a thread: refused unless its config allows the capability
        assertThat(deploy("leaky.jar", leaky, null).getMessage())
                .startsWith("rule jar leaky.jar refused: class testrules.Leaky ")
                .contains("(capability 'threads';");
        byte[] allowThreads = "{\"allow\": [\"threads\"]}".getBytes(StandardCharsets.UTF_8);
        assertThat(deploy("leaky.jar", leaky, allowThreads).getOk()).isTrue();
        batch(session, sequence);
        assertThat(
                        admin(
                                        AdminRequest.newBuilder()
                                                .setRemove(
                                                        RemoveRequest.newBuilder().setRule("leaky"))
                                                .build())
                                .getOk())
                .isTrue();
        batch(session, sequence + 1);

        AtomicReference<AdminResponse> leaked = new AtomicReference<>();
        Deadline.await(
                "the leaky rule's loader to be reported",
                Duration.ofSeconds(60),
                () -> {
                    leaked.set(status(false));
                    return leaked.get().getLoaders().getLeakedCount() > 0;
                });
        assertThat(leaked.get().getLoaders().getLeakedList())
                .singleElement()
                .satisfies(
                        loader -> {
                            assertThat(loader.getName())
                                    .isEqualTo(
                                            "rule:leaky@1.0.0+"
                                                    + TestingVersions.hash(leaky, allowThreads));
                            assertThat(loader.getHoldersList())
                                    .anyMatch(
                                            h ->
                                                    h.matches(
                                                            "thread 'leaky-worker-\\d' \\(daemon, its context classloader "
                                                                    + "is the rule's; it runs testrules.Leaky\\$\\$Lambda.* of the rule; it is running rule code at .*"));
                        });
        TestingAdmin cli = new TestingAdmin(adminSocket);
        assertThat(cli.run("status")).isZero();
        assertThat(cli.out())
                .contains("1 leaked\n  LEAKED rule:leaky@1.0.0+")
                .contains("held by:\n    thread 'leaky-worker-");
    }

    /** Deploys version {@code version} of the jar and waits for the session to run it. */
    private void swap(TestingClient session, byte[] jar, String version, long sequence)
            throws IOException {
        byte[] config = ("{\"version\": \"" + version + "\"}").getBytes(StandardCharsets.UTF_8);
        AdminResponse deployed = deploy("many.jar", jar, config);
        assertThat(deployed.getOk()).as(deployed.getMessage()).isTrue();
        ResultBatch answer = batch(session, sequence);
        assertThat(answer.getRulesList())
                .singleElement()
                .satisfies(
                        rule ->
                                assertThat(rule.getVersion())
                                        .isEqualTo(
                                                version + "+" + TestingVersions.hash(jar, config)));
    }

    private static ResultBatch batch(TestingClient session, long sequence) throws IOException {
        session.send(events(TestingBatches.batch(sequence, "k=1")));
        return session.receive().getResults();
    }

    /**
     * Status after a GC once no retired loader is waiting any more and {@code retired} were
     * collected.
     */
    private AdminResponse settledStatus(int retired) {
        AtomicReference<AdminResponse> status = new AtomicReference<>();
        Deadline.await(
                "the retired loaders to be collected",
                Duration.ofSeconds(60),
                () -> {
                    status.set(status(true));
                    LoaderStatus loaders = status.get().getLoaders();
                    return loaders.getWaiting() == 0
                            && loaders.getCollected() + loaders.getLeakedCount() >= retired - 1;
                });
        return status.get();
    }

    private AdminResponse deploy(String fileName, byte[] jar, byte[] config) throws IOException {
        DeployRequest.Builder deploy =
                DeployRequest.newBuilder().setFileName(fileName).setJar(ByteString.copyFrom(jar));
        if (config != null) {
            deploy.setConfig(ByteString.copyFrom(config));
        }
        return admin(AdminRequest.newBuilder().setDeploy(deploy).build());
    }

    private AdminResponse status(boolean gc) {
        try {
            return admin(
                    AdminRequest.newBuilder()
                            .setStatus(StatusRequest.newBuilder().setGc(gc))
                            .build());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private AdminResponse admin(AdminRequest request) throws IOException {
        return AdminClient.call(adminSocket, request);
    }
}
