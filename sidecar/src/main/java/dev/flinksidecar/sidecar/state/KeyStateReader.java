package dev.flinksidecar.sidecar.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one key's windowed state, as {@link KeyStateWriter} wrote it, into its sections. The whole
 * state is read and checked before anything is returned, so bytes that are truncated or corrupt
 * anywhere change nothing; accumulators stay bytes until the section's rule is known ({@link
 * StoredSection#decode}).
 */
public final class KeyStateReader {

    private KeyStateReader() {}

    /**
     * @param state a key's state; empty when the key has no windows
     * @return its sections, in the order they were written (empty for an empty state)
     * @throws StateFormatException naming what is wrong: an unknown format version, bytes that end
     *     too early, values out of range, bytes left over
     */
    public static List<StoredSection> read(byte[] state) throws StateFormatException {
        if (state.length == 0) {
            return List.of();
        }
        StateCursor in = new StateCursor(state);
        int version = in.readByte();
        if (version != StateFormat.VERSION) {
            throw new StateFormatException(
                    "the state has format version "
                            + version
                            + ", which this sidecar does not read (it reads "
                            + StateFormat.VERSION
                            + ")");
        }
        in.at("the section count");
        int count = in.readLength("the section count", StateFormat.MAX_SECTIONS);
        if (count == 0) {
            throw in.corrupt("a non-empty state with no sections");
        }
        List<StoredSection> sections = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            in.at("section " + (i + 1) + " of " + count);
            sections.add(StoredSection.read(in));
        }
        if (in.remaining() > 0) {
            in.at("the end of the state");
            throw in.corrupt(in.remaining() + " bytes follow the last section");
        }
        return sections;
    }
}
