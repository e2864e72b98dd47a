package dev.flinksidecar.operator;

import com.google.protobuf.UnsafeByteOperations;
import dev.flinksidecar.proto.KeyState;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * The sidecar's windowed state of each key, kept in Flink keyed state: one {@code byte[]} per key,
 * in the sidecar's own format (sidecar/STATE-FORMAT.md), opaque here. Because it is Flink keyed
 * state, Flink splits it by key group, hands every key's state to whichever subtask owns the key
 * after a rescale, and snapshots it incrementally where the state backend does (RocksDB incremental
 * checkpoints, the changelog backend); the sidecar only sends the keys that changed since the
 * previous barrier. Task thread only.
 */
final class SidecarKeyedState {

    static final String NAME = "sidecar-window-state";

    private final ValueState<byte[]> state;
    private final KeyedStateBackend<Object> backend;

    private SidecarKeyedState(ValueState<byte[]> state, KeyedStateBackend<Object> backend) {
        this.state = state;
        this.backend = backend;
    }

    @SuppressWarnings("unchecked")
    static SidecarKeyedState register(
            org.apache.flink.api.common.functions.RuntimeContext context,
            KeyedStateBackend<?> backend) {
        ValueState<byte[]> state =
                context.getState(
                        new ValueStateDescriptor<>(
                                NAME, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        return new SidecarKeyedState(state, (KeyedStateBackend<Object>) backend);
    }

    /**
     * Writes the changes of one barrier: each key's new state, or none when its bytes are empty.
     */
    void apply(List<KeyState> changes) throws IOException {
        for (KeyState change : changes) {
            backend.setCurrentKey(change.getKey());
            if (change.getState().isEmpty()) {
                state.clear();
            } else {
                state.update(change.getState().toByteArray());
            }
        }
    }

    /**
     * Hands {@code use} the state of every key this subtask holds, read lazily while it iterates.
     */
    void withEveryKey(ThrowingConsumer<Iterator<KeyState>, Exception> use) throws Exception {
        try (Stream<Object> keys = backend.getKeys(NAME, VoidNamespace.INSTANCE)) {
            Iterator<Object> it = keys.iterator();
            use.accept(
                    new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public KeyState next() {
                            Object key = it.next();
                            backend.setCurrentKey(key);
                            try {
                                byte[] bytes = state.value();
                                return KeyState.newBuilder()
                                        .setKey((String) key)
                                        .setState(
                                                UnsafeByteOperations.unsafeWrap(
                                                        bytes == null ? new byte[0] : bytes))
                                        .build();
                            } catch (IOException e) {
                                throw new IllegalStateException(
                                        "cannot read the sidecar state of key " + key, e);
                            }
                        }
                    });
        }
    }
}
