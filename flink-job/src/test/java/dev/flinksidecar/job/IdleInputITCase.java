package dev.flinksidecar.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.job.source.EventSources;
import dev.flinksidecar.job.source.EventTimeWatermarks;
import dev.flinksidecar.job.source.InputRecord;
import dev.flinksidecar.job.source.InputSplitter;
import dev.flinksidecar.operator.SidecarOperatorOptions;
import dev.flinksidecar.operator.SidecarStreams;
import dev.flinksidecar.operator.types.RecordTypes;
import dev.flinksidecar.operator.types.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle input does not hold windows back. Two source subtasks feed the sidecar operator, both with
 * the job's watermark strategy ({@link EventTimeWatermarks}): a busy one (a rate-limited generator:
 * 60 s of event time over 3 s) and the job's file source watching an empty folder, which never
 * emits an event and never ends. A 10 s tumbling count through a real sidecar must still fire while
 * the input goes on: with an idle timeout the empty source is marked idle and the watermark follows
 * the busy one. Without it, the empty source holds every window for ever (the control).
 */
@Timeout(120)
class IdleInputITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long START = 1_767_225_600_000L;

    @TempDir Path tmp;

    private LocalSidecarProcess sidecar;
    private final ExecutorService reader = Executors.newSingleThreadExecutor();

    @BeforeEach
    void startSidecar() throws Exception {
        TestSidecars.deploy(
                tmp.resolve("rules"),
                "windowed-aggregate",
                "counts",
                "{\"id\": \"counts\", \"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}, \"aggregate\": \"count\"}");
        sidecar =
                LocalSidecarProcess.start(
                        TestSidecars.command(tmp),
                        tmp.resolve("sidecar.sock"),
                        tmp.resolve("rules"),
                        tmp.resolve("sidecar.log"),
                        Duration.ofSeconds(60));
        Files.createDirectories(tmp.resolve("empty"));
    }

    @AfterEach
    void stop() {
        reader.shutdownNow();
        sidecar.close();
    }

    @Test
    void windowsFireWhileAnotherSourceHasNoInput() throws Exception {
        try (Running job = run(Duration.ofMillis(500))) {
            ResultRecord first = reader.submit(job.results::next).get(60, TimeUnit.SECONDS);
            assertThat(JobOutput.field(first.json(), "window_start"))
                    .isEqualTo(String.valueOf(START));
            assertThat(JobOutput.field(first.json(), "window_end"))
                    .isEqualTo(String.valueOf(START + 10_000));
            assertThat(first.time()).isEqualTo(START + 10_000 - 1);
        }
    }

    /** The control: the same job without idleness fires nothing while the empty source waits. */
    @Test
    void withoutIdlenessTheEmptySourceHoldsEveryWindow() throws Exception {
        try (Running job = run(Duration.ZERO)) {
            Future<ResultRecord> first = reader.submit(job.results::next);
            try {
                ResultRecord result =
                        first.get(
                                5,
                                TimeUnit.SECONDS); // the busy source alone would have fired by 2 s
                assertThat(result).as("a window fired without idleness").isNull();
            } catch (TimeoutException expected) {
                first.cancel(true);
            }
        }
    }

    /**
     * A job that never ends, and its results as they come; closing cancels it and waits until it is
     * gone.
     */
    private record Running(JobClient client, CloseableIterator<ResultRecord> results)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            client.cancel().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!client.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the job was not cancelled within 30 s");
                }
                Thread.sleep(20); // polling the job's status, bounded by the deadline
            }
            results.close();
        }
    }

    private Running run(Duration idleTimeout) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataGeneratorSource<InputRecord> generator =
                new DataGeneratorSource<>(
                        i ->
                                InputRecord.event(
                                        EventRecord.builder("k" + i % 7, START + i * 100)
                                                .type("payment")
                                                .build()),
                        600,
                        RateLimiterStrategy.perSecond(200),
                        InputRecord.TYPE);
        DataStream<EventRecord> busy =
                env.fromSource(
                                generator,
                                EventTimeWatermarks.strategy(Duration.ZERO, false, idleTimeout),
                                "busy",
                                InputRecord.TYPE)
                        .process(new InputSplitter(), RecordTypes.EVENT);
        DataStream<EventRecord> idle =
                EventSources.read(
                        env,
                        tmp.resolve("empty").toString(),
                        Duration.ZERO,
                        false,
                        idleTimeout,
                        Duration.ofMillis(100));
        CloseableIterator<ResultRecord> results =
                SidecarStreams.process(
                                busy.union(idle).keyBy(EventRecord::key, Types.STRING),
                                SidecarOperatorOptions.defaults()
                                        .with(
                                                SidecarOperatorOptions.SOCKET_PATH,
                                                tmp.resolve("sidecar.sock").toString()))
                        .collectAsync();
        return new Running(
                env.executeAsync("idle input, idle timeout " + idleTimeout.toMillis() + " ms"),
                results);
    }
}
