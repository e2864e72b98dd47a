package dev.flinksidecar.sidecar.window;

import java.util.function.Consumer;

/**
 * Every key's open aligned windows ({@link WindowsByStart}), by key: an open-addressing table of
 * the {@link WindowsByStart} entries themselves, each holding its key and the key's hash (linear
 * probing on the spread hash, at most half full). It replaces a {@code HashMap<String,
 * WindowsByStart>} on the per-event path: a lookup compares the cached hash before the key and
 * reaches the key's windows without a map node in between, and a key's first window allocates no
 * node.
 *
 * <p>Not thread-safe.
 */
final class WindowsByKey {

    private WindowsByStart[] table = new WindowsByStart[16];

    /** 32 - log2(table.length): the spread hash's top bits index the table. */
    private int shift = 28;

    private int size;

    /** The hash a key is stored under. */
    static int hash(String key) {
        return key.hashCode() * 0x9E3779B9;
    }

    /** The windows of {@code key}, or null when it has none. */
    WindowsByStart get(String key) {
        int hash = hash(key);
        int mask = table.length - 1;
        for (int i = hash >>> shift; ; i = (i + 1) & mask) {
            WindowsByStart windows = table[i];
            if (windows == null || (windows.hash == hash && windows.key.equals(key))) {
                return windows;
            }
        }
    }

    /** The windows of {@code key}, empty and added when it has none. */
    WindowsByStart getOrAdd(String key) {
        WindowsByStart windows = get(key);
        if (windows == null) {
            windows = new WindowsByStart(key, hash(key));
            if (2 * (size + 1) > table.length) {
                grow();
            }
            insert(windows);
            size++;
        }
        return windows;
    }

    /** Forgets {@code windows}, which must be in the table. */
    void remove(WindowsByStart windows) {
        int mask = table.length - 1;
        int i = windows.hash >>> shift;
        while (table[i] != windows) {
            i = (i + 1) & mask;
        }
        table[i] = null;
        size--;
        // backward shift: move up each following entry whose home is not between the hole and it
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = table[j].hash >>> shift;
            boolean staysPut = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!staysPut) {
                table[i] = table[j];
                table[j] = null;
                i = j;
            }
        }
    }

    /** Keys with windows. */
    int size() {
        return size;
    }

    /** Visits every key's windows. */
    void forEach(Consumer<WindowsByStart> visitor) {
        for (WindowsByStart windows : table) {
            if (windows != null) {
                visitor.accept(windows);
            }
        }
    }

    private void insert(WindowsByStart windows) {
        int mask = table.length - 1;
        int i = windows.hash >>> shift;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = windows;
    }

    private void grow() {
        WindowsByStart[] old = table;
        table = new WindowsByStart[old.length * 2];
        shift--;
        for (WindowsByStart windows : old) {
            if (windows != null) {
                insert(windows);
            }
        }
    }
}
