package dev.flinksidecar.sidecar.state;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.WindowAssigner;
import dev.flinksidecar.sidecar.window.WindowState;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One section of a key's state as read: the rule that wrote it and its windows, the accumulators
 * still in the bytes of the rule's codec.
 */
public final class StoredSection {

    private final RuleSection rule;
    private final byte[] state;
    private final long[] starts;
    private final long[] ends;
    private final long[] counts;
    private final boolean[] fired;

    /** Where each accumulator's bytes are in {@link #state}; length -1: a null accumulator. */
    private final int[] offsets;

    private final int[] lengths;

    private StoredSection(RuleSection rule, byte[] state, int windows) {
        this.rule = rule;
        this.state = state;
        this.starts = new long[windows];
        this.ends = new long[windows];
        this.counts = new long[windows];
        this.fired = new boolean[windows];
        this.offsets = new int[windows];
        this.lengths = new int[windows];
    }

    static StoredSection read(StateCursor in) throws StateFormatException {
        RuleSection rule = RuleSection.read(in);
        long count = in.readVarint();
        if (count == 0) {
            throw in.corrupt("a section with no windows");
        }
        int windows =
                in.checkSize(
                        count); // a window takes 3 bytes at least: more windows than bytes left is
        // a cut state

        StoredSection section = new StoredSection(rule, in.bytes(), windows);
        boolean sessions = rule.windows().type() == WindowAssigner.Type.SESSION;
        long start = 0;
        for (int i = 0; i < windows; i++) {
            in.at("window " + (i + 1) + " of " + windows + " of rule '" + rule.ruleId() + "'");
            start = i == 0 ? in.readZigzag() : start + in.readVarint();
            long length = sessions ? in.readVarint() : rule.windows().size();
            if (length <= 0) {
                throw in.corrupt("a window length of " + Long.toUnsignedString(length) + " ms");
            }
            long countFired = in.readVarint();
            section.starts[i] = start;
            section.ends[i] = start + length;
            section.counts[i] = countFired >>> 1;
            section.fired[i] = (countFired & 1) == 1;
            long coded = in.readVarint();
            if (coded == 0) {
                section.lengths[i] = -1;
            } else {
                int size = in.checkSize(coded - 1);
                section.offsets[i] = in.position();
                section.lengths[i] = size;
                in.skip(size);
            }
        }
        return section;
    }

    /** The rule that wrote the section. */
    public RuleSection rule() {
        return rule;
    }

    public int windowCount() {
        return starts.length;
    }

    /**
     * The windows with their accumulators read by {@code codec} (the codec of the rule they are
     * restored into; it runs with that rule's classloader as context classloader).
     *
     * @throws IOException naming the window when the codec fails or does not read exactly the
     *     accumulator's bytes
     */
    public List<WindowState> decode(AccumulatorCodec<?> codec) throws IOException {
        List<WindowState> windows = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            Object accumulator = null;
            if (lengths[i] >= 0) {
                accumulator = decode(codec, i);
            }
            windows.add(new WindowState(starts[i], ends[i], counts[i], fired[i], accumulator));
        }
        return windows;
    }

    private Object decode(AccumulatorCodec<?> codec, int i) throws IOException {
        ByteArrayInputStream bytes = new ByteArrayInputStream(state, offsets[i], lengths[i]);
        String window = "window [" + starts[i] + ", " + ends[i] + ")";
        Object accumulator;
        try {
            accumulator = codec.read(new DataInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new IOException("the accumulator of " + window + " could not be read: " + e, e);
        }
        if (accumulator == null) {
            throw new IOException("the codec read a null accumulator for " + window);
        }
        if (bytes.available() > 0) {
            throw new IOException(
                    "the codec read "
                            + (lengths[i] - bytes.available())
                            + " of the "
                            + lengths[i]
                            + " bytes of the accumulator of "
                            + window);
        }
        return accumulator;
    }
}
