package dev.flinksidecar.sidecar.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.proto.StateRestore;
import dev.flinksidecar.sidecar.TestingFrames;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Estimates of the heap a message takes once parsed, from its bytes alone. */
class HeapEstimateTest {

    @Test
    void manyTinyEntriesWeighMuchMoreThanTheirBytes() throws Exception {
        StateRestore.Builder restore = StateRestore.newBuilder();
        for (int i = 0; i < 10_000; i++) {
            restore.addKeys(KeyState.getDefaultInstance());
        }
        byte[] bytes = ClientMessage.newBuilder().setStateRestore(restore).build().toByteArray();

        long heap = estimate(bytes);

        assertThat(heap).as("10,000 KeyState objects").isGreaterThan(10_000L * 48);
        assertThat(heap).isGreaterThan(20L * bytes.length);
    }

    @Test
    void anOrdinaryBatchWeighsAFewTimesItsBytes() throws Exception {
        String[] events = new String[1000];
        for (int i = 0; i < events.length; i++) {
            events[i] = "card-" + i + "=" + (i * 7);
        }
        byte[] bytes = TestingFrames.events(TestingBatches.batch(1, events)).toByteArray();

        long heap = estimate(bytes);

        assertThat(heap).isBetween(2L * bytes.length, 12L * bytes.length);
    }

    @Test
    void bytesThatAreNotProtobufFailAsParsingWould() {
        byte[] truncated = {(byte) ((6 << 3) | 2), 100, 1, 2};
        assertThatThrownBy(() -> estimate(truncated))
                .isInstanceOf(InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> ClientMessage.parseFrom(truncated))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }

    @Test
    void aDirectBufferIsReadInPlace() throws Exception {
        byte[] bytes = TestingFrames.hello().toByteArray();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 3);
        direct.put(new byte[] {9, 9, 9}).put(bytes).flip().position(3);

        assertThat(HeapEstimate.of(ClientMessage.getDescriptor(), direct))
                .isEqualTo(estimate(bytes));
        assertThat(direct.position()).isEqualTo(3);
    }

    private static long estimate(byte[] bytes) throws InvalidProtocolBufferException {
        return HeapEstimate.of(ClientMessage.getDescriptor(), ByteBuffer.wrap(bytes));
    }
}
