package dev.flinksidecar.sidecar.rules.running;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.flinksidecar.proto.KeyState;
import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import dev.flinksidecar.sidecar.state.KeyStateWriter;
import dev.flinksidecar.sidecar.window.ChangedKeys;
import dev.flinksidecar.sidecar.window.WindowVisitor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The windowed state of one session's engine, key by key, as the Flink operator keeps it in its
 * keyed state: what changed since the last barrier, written in the state format ({@code
 * sidecar/STATE-FORMAT.md}). {@link KeyRestore} puts it back.
 *
 * <pre>
 *  barrier N   versions staged for N switch first; then, for each key marked in ChangedKeys:
 *                 sections = the windowed instances (by rule id, class, older versions first)
 *                            that hold windows of the key
 *                 none -> empty bytes (the client clears the key)   else KeyStateWriter
 *              the marks are cleared
 *  StateRestore  see KeyRestore
 * </pre>
 *
 * <p>Every section names the version whose instance holds its windows right after the barrier: a
 * hot swap that hands windows to the new version marks all their keys changed (the accumulators
 * went through its codec), so a restore puts each window back under the version that had it. Keys
 * restored unchanged are not written again.
 *
 * <p>One thread: the engine's.
 */
final class KeyedState implements WindowVisitor {

    private final ChangedKeys changes;
    private final KeyStateWriter writer = new KeyStateWriter();
    private final List<WindowedInstance> instances = new ArrayList<>();
    private final List<WindowedInstance> holding = new ArrayList<>();

    /** While {@link #snapshot} visits a section: its rule's codec. */
    private AccumulatorCodec<Object> codec;

    KeyedState(ChangedKeys changes) {
        this.changes = changes;
    }

    /**
     * Hands the state of every key changed since the last call to {@code sink}, then forgets the
     * changes. Runs rule code (the codecs).
     *
     * @throws IOException naming the rule, the key and the window when a codec fails
     */
    void snapshot(Iterable<RuleSlot> slots, ContextSwitch context, Consumer<KeyState> sink)
            throws IOException {
        collectInstances(slots);
        KeyState.Builder keyState = KeyState.newBuilder();
        for (String key : changes.keys()) {
            holding.clear();
            for (WindowedInstance instance : instances) {
                if (instance.windows.hasWindows(key)) {
                    holding.add(instance);
                }
            }
            keyState.setKey(key)
                    .setState(
                            holding.isEmpty()
                                    ? ByteString.EMPTY
                                    : UnsafeByteOperations.unsafeWrap(write(key, context)));
            sink.accept(keyState.build());
        }
        changes.clear();
        instances.clear();
    }

    @SuppressWarnings("unchecked")
    private byte[] write(String key, ContextSwitch context) throws IOException {
        writer.start(holding.size());
        for (WindowedInstance instance : holding) {
            writer.section(instance.section, instance.windows.windowCount(key));
            context.enter(instance.loaded.classLoader());
            codec = (AccumulatorCodec<Object>) instance.rule.accumulatorCodec();
            try {
                instance.windows.forEachWindow(key, this);
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        "rule "
                                + instance.loaded
                                + " could not write an accumulator of key '"
                                + key
                                + "': "
                                + e,
                        e);
            }
        }
        return writer.finish();
    }

    @Override
    public void window(long start, long end, long count, boolean fired, Object accumulator)
            throws IOException {
        writer.window(start, end, count, fired, accumulator, codec);
    }

    /** The older versions that finish windows in this session now. */
    List<RuleVersion> finishing(Iterable<RuleSlot> slots) {
        List<RuleVersion> versions = new ArrayList<>();
        for (RuleSlot slot : slots) {
            for (RunningRule running : slot.running) {
                if (running instanceof WindowedChain) {
                    for (WindowedInstance older : ((WindowedChain) running).older()) {
                        if (older.windows.openWindows() > 0) {
                            versions.add(older.version);
                        }
                    }
                }
            }
        }
        return versions;
    }

    private void collectInstances(Iterable<RuleSlot> slots) {
        instances.clear();
        for (RuleSlot slot : slots) {
            for (RunningRule running : slot.running) {
                if (running instanceof WindowedChain) {
                    instances.addAll(((WindowedChain) running).all());
                }
            }
        }
    }
}
