package dev.flinksidecar.sidecar.state;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.WindowAssigner;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Writes one key's windowed state in the state format (STATE-FORMAT.md): {@link #start}, then for
 * each section {@link #section} and its {@link #window}s, then {@link #finish}. The windows of a
 * section come by start; accumulators go through the rule's own codec. Reused from key to key, so a
 * checkpoint allocates only the bytes it returns.
 *
 * <p>One thread: the session's engine, with the rule's classloader as context classloader while its
 * codec runs.
 */
public final class KeyStateWriter {

    private final StateBuffer out = new StateBuffer(256);
    private final StateBuffer accumulator = new StateBuffer(64);
    private final DataOutputStream accumulatorData = new DataOutputStream(accumulator);
    private boolean first;
    private long previousStart;
    private boolean sessions;

    /** Begins a key's state of {@code sections} sections (at least one). */
    public void start(int sections) {
        if (sections < 1) {
            throw new IllegalArgumentException(
                    "a key state without sections is written as no bytes at all");
        }
        out.reset();
        out.write(StateFormat.VERSION);
        out.writeVarint(sections);
    }

    /**
     * Begins a section: the windows of {@code rule} for the key, {@code windows} of them (at least
     * one).
     */
    public void section(RuleSection rule, int windows) {
        out.write(rule.encoded());
        out.writeVarint(windows);
        first = true;
        sessions = rule.windows().type() == WindowAssigner.Type.SESSION;
    }

    /**
     * Writes one window of the current section; windows come by start.
     *
     * @throws IOException when the rule's codec fails
     */
    public void window(
            long start,
            long end,
            long count,
            boolean fired,
            Object value,
            AccumulatorCodec<Object> codec)
            throws IOException {
        if (first) {
            out.writeZigzag(start);
            first = false;
        } else {
            out.writeVarint(start - previousStart);
        }
        previousStart = start;
        if (sessions) {
            out.writeVarint(end - start);
        }
        out.writeVarint((count << 1) | (fired ? 1 : 0));
        if (value == null) {
            out.writeVarint(0);
            return;
        }
        accumulator.reset();
        codec.write(value, accumulatorData);
        accumulatorData.flush();
        out.writeVarint(accumulator.size() + 1L);
        out.write(accumulator);
    }

    /** The key's state as written. */
    public byte[] finish() {
        return out.toByteArray();
    }
}
