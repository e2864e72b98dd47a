package dev.flinksidecar.sidecar.transport;

import static dev.flinksidecar.sidecar.TestingFrames.barrier;
import static dev.flinksidecar.sidecar.TestingFrames.events;
import static dev.flinksidecar.sidecar.TestingFrames.goodbye;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Hello;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.ResultBatch;
import dev.flinksidecar.proto.ServerMessage;
import dev.flinksidecar.proto.StateDelta;
import dev.flinksidecar.proto.StateRestore;
import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import dev.flinksidecar.sidecar.rules.running.RuleSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed state over a real Unix domain socket, as a client meets it: StateDeltas before each
 * CheckpointAck, within the client's frame limit; a restored session going on from them; and the
 * protocol errors around it.
 */
@Timeout(60)
class KeyedStateSessionITCase {

    @TempDir Path dir;

    private RuleSet rules;
    private SidecarServer server;

    @BeforeEach
    void setUp() throws Exception {
        Path rulesDir = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.windowedSum(
                rulesDir, "sum", "{\"window\": {\"type\": \"tumbling\", \"size\": \"10s\"}}");
        rules = RuleSet.load(rulesDir);
        server =
                SidecarServer.start(
                        SidecarConfig.defaults()
                                .with(SidecarOptions.SOCKET_PATH, dir.resolve("sidecar.sock"))
                                .with(SidecarOptions.RULE_EXECUTOR_THREADS, 2),
                        rules,
                        "test");
    }

    @AfterEach
    void tearDown() throws IOException {
        server.shutdown();
        rules.close();
    }

    @Test
    void aRestoredSessionGoesOnFromTheStateDeltasOfTheFirst() throws Exception {
        Map<String, ByteString> state = new LinkedHashMap<>();
        try (TestingClient client = connect()) {
            client.send(hello(true, true, 0));
            client.send(events(TestingBatches.timed(1, null, "a@1000=1", "b@2000=2", "c@3000=4")));
            client.send(barrier(1));
            assertThat(client.receive().hasWelcome()).isTrue();
            assertThat(client.receive().getResults().getResultsCount()).isZero();
            ServerMessage delta = client.receive();
            assertThat(delta.getStateDelta().getCheckpointId()).isEqualTo(1);
            delta.getStateDelta()
                    .getKeysList()
                    .forEach(key -> state.put(key.getKey(), key.getState()));
            assertThat(client.receive().getCheckpointAck().getCheckpointId())
                    .as("the ack after the state")
                    .isEqualTo(1);
            client.send(goodbye());
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(state).containsOnlyKeys("a", "b", "c");

        try (TestingClient client = connect()) {
            client.send(hello(true, true, 1));
            assertThat(client.receive().hasWelcome()).isTrue();
            client.send(restore(Map.of("a", state.get("a"), "b", state.get("b"))));
            client.send(
                    restore(
                            Map.of(
                                    "c",
                                    state.get("c"),
                                    "broken",
                                    ByteString.copyFrom(new byte[] {9, 1, 2}))));
            client.send(events(TestingBatches.timed(1, Long.MAX_VALUE, "a@4000=8")));

            ServerMessage error = client.receive();
            assertThat(error.getError().getFatal()).isFalse();
            assertThat(error.getError().getCode()).isEqualTo("STATE");
            assertThat(error.getError().getMessage())
                    .isEqualTo(
                            "the state of key 'broken' is dropped: the state has format version 9, which this sidecar does not read (it reads 1)");
            ResultBatch fired = client.receive().getResults();
            assertThat(fired.getResultsList())
                    .extracting(
                            r ->
                                    r.getKey()
                                            + " "
                                            + r.getWindow().getValue()
                                            + " x"
                                            + r.getWindow().getCount())
                    .containsExactly("a 9.0 x2", "b 2.0 x1", "c 4.0 x1");
            client.send(barrier(2));
            assertThat(client.receive().getStateDelta().getKeysList())
                    .as("fired and purged, and the key that was dropped")
                    .extracting(k -> k.getKey() + (k.getState().isEmpty() ? " empty" : ""))
                    .containsExactlyInAnyOrder("a empty", "b empty", "c empty", "broken empty");
            assertThat(client.receive().getCheckpointAck().getCheckpointId()).isEqualTo(2);
        }
    }

    @Test
    void theStateOfABarrierIsSplitIntoDeltasThatFitTheClientsFrames() throws Exception {
        int limit = 2048;
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(String.format("card-%04d@%d=%d", i, 1000 + i, i));
        }
        try (TestingClient client = connect()) {
            ClientMessage hello = hello(true, true, 0);
            client.send(
                    hello.toBuilder()
                            .setHello(hello.getHello().toBuilder().setMaxFrameBytes(limit))
                            .build());
            client.send(events(TestingBatches.timed(1, null, events.toArray(new String[0]))));
            client.send(barrier(7));
            assertThat(client.receive().hasWelcome()).isTrue();
            assertThat(client.receive().hasResults()).isTrue();

            List<String> keys = new ArrayList<>();
            int deltas = 0;
            for (ServerMessage message = client.receive();
                    !message.hasCheckpointAck();
                    message = client.receive()) {
                StateDelta delta = message.getStateDelta();
                assertThat(message.getSerializedSize())
                        .as("delta %d", deltas)
                        .isLessThanOrEqualTo(limit);
                assertThat(delta.getCheckpointId()).isEqualTo(7);
                delta.getKeysList().forEach(key -> keys.add(key.getKey()));
                deltas++;
            }
            assertThat(deltas).isGreaterThan(10);
            assertThat(keys).hasSize(300).doesNotHaveDuplicates();
        }
    }

    @Test
    void aStateRestoreAfterTheFirstEventBatchEndsTheSession() throws Exception {
        try (TestingClient client = connect()) {
            client.send(hello(true, true, 3));
            assertThat(client.receive().hasWelcome()).isTrue();
            client.send(events(TestingBatches.timed(1, null, "a@1000=1")));
            assertThat(client.receive().hasResults()).isTrue();
            client.send(restore(Map.of("a", ByteString.EMPTY)));

            ServerMessage error = client.receive();
            assertThat(error.getError().getFatal()).isTrue();
            assertThat(error.getError().getCode()).isEqualTo("PROTOCOL");
            assertThat(error.getError().getMessage())
                    .isEqualTo(
                            "received a StateRestore after EventBatch 1; a restored session sends its "
                                    + "state right after Welcome, before its first EventBatch");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aStateRestoreWithoutKeyedStateEndsTheSession() throws Exception {
        try (TestingClient client = connect()) {
            client.send(hello(true, false, 0));
            assertThat(client.receive().hasWelcome()).isTrue();
            client.send(restore(Map.of("a", ByteString.EMPTY)));

            ServerMessage error = client.receive();
            assertThat(error.getError().getCode()).isEqualTo("PROTOCOL");
            assertThat(error.getError().getMessage())
                    .isEqualTo(
                            "received a StateRestore in a session without keyed state (Hello.keyed_state is false)");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void keyedStateWithoutCheckpointBarriersIsRefused() throws Exception {
        try (TestingClient client = connect()) {
            client.send(hello(false, true, 0));

            ServerMessage refusal = client.receive();
            assertThat(refusal.getRefusal().getReason())
                    .isEqualTo(
                            "keyed_state needs checkpoint_barriers: the sidecar sends a session's changed state at its checkpoint barriers");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    private TestingClient connect() throws IOException {
        return TestingClient.connect(server.socketPath());
    }

    private static ClientMessage hello(
            boolean barriers, boolean keyedState, long restoredCheckpoint) {
        Hello hello =
                TestingFrames.hello(barriers, restoredCheckpoint).getHello().toBuilder()
                        .setKeyedState(keyedState)
                        .build();
        return ClientMessage.newBuilder().setHello(hello).build();
    }

    private static ClientMessage restore(Map<String, ByteString> keys) {
        StateRestore.Builder restore = StateRestore.newBuilder();
        new TreeMap<>(keys)
                .forEach(
                        (key, state) ->
                                restore.addKeys(KeyState.newBuilder().setKey(key).setState(state)));
        return ClientMessage.newBuilder().setStateRestore(restore).build();
    }
}
