package dev.flinksidecar.sidecar.window;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * One key's open aligned windows by start, and the key ({@link WindowsByKey} holds them by it): an
 * open-addressing table of the slots themselves (linear probing on a Fibonacci hash of the start,
 * at most half full). It replaces a {@code HashMap<Long, WindowSlot>} on the per-event path, where
 * boxing the start and chasing the map's nodes took about a third of a windowed rule's time; a key
 * has few open windows (a tumbling window and the late ones within the allowed lateness; size /
 * slide of sliding ones).
 *
 * <p>Not thread-safe.
 */
final class WindowsByStart {

    private static final long FIBONACCI = 0x9E3779B97F4A7C15L;

    /** The key whose windows these are, and its hash in {@link WindowsByKey}. */
    final String key;

    final int hash;

    /** The {@link ChangedKeys} epoch the key was last marked in; -1: not yet. */
    long markedIn = -1;

    private WindowSlot[] table = new WindowSlot[4];

    /** 64 - log2(table.length): the hash's top bits index the table. */
    private int shift = 62;

    private int size;

    WindowsByStart(String key, int hash) {
        this.key = key;
        this.hash = hash;
    }

    /** The window that starts at {@code start}, or null. */
    WindowSlot get(long start) {
        int mask = table.length - 1;
        for (int i = home(start); ; i = (i + 1) & mask) {
            WindowSlot slot = table[i];
            if (slot == null || slot.start == start) {
                return slot;
            }
        }
    }

    /** Adds a window, in place of the one with the same start if there is one. */
    void put(WindowSlot slot) {
        int mask = table.length - 1;
        for (int i = home(slot.start); table[i] != null; i = (i + 1) & mask) {
            if (table[i].start == slot.start) {
                table[i] = slot;
                return;
            }
        }
        if (2 * (size + 1) > table.length) {
            grow();
        }
        insert(slot);
        size++;
    }

    /** Removes the window that starts at {@code start}, if there is one. */
    void remove(long start) {
        int mask = table.length - 1;
        int i = home(start);
        while (table[i] != null && table[i].start != start) {
            i = (i + 1) & mask;
        }
        if (table[i] == null) {
            return;
        }
        table[i] = null;
        size--;
        // backward shift: move up each following slot whose home is not between the hole and it
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = home(table[j].start);
            boolean staysPut = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!staysPut) {
                table[i] = table[j];
                table[j] = null;
                i = j;
            }
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void forEach(Consumer<WindowSlot> visitor) {
        for (WindowSlot slot : table) {
            if (slot != null) {
                visitor.accept(slot);
            }
        }
    }

    void addAllTo(Collection<WindowSlot> into) {
        forEach(into::add);
    }

    private int home(long start) {
        return (int) ((start * FIBONACCI) >>> shift);
    }

    private void insert(WindowSlot slot) {
        int mask = table.length - 1;
        int i = home(slot.start);
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = slot;
    }

    private void grow() {
        WindowSlot[] old = table;
        table = new WindowSlot[old.length * 2];
        shift--;
        for (WindowSlot slot : old) {
            if (slot != null) {
                insert(slot);
            }
        }
    }
}
