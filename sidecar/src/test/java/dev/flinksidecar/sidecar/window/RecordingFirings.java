package dev.flinksidecar.sidecar.window;

import java.util.ArrayList;
import java.util.List;

/**
 * Records firings as {@code key [start,end) value xcount} lines, and failures as {@code failed key
 * [start,end)}.
 */
public final class RecordingFirings implements Firings {

    public final List<String> lines = new ArrayList<>();

    @Override
    public void fire(String key, long start, long end, double value, long count) {
        lines.add(key + " [" + start + "," + end + ") " + value + " x" + count);
    }

    @Override
    public void failed(String key, long start, long end, Throwable error) {
        lines.add("failed " + key + " [" + start + "," + end + ")");
    }

    /** The lines recorded since the last call, and forgets them. */
    public List<String> take() {
        List<String> taken = new ArrayList<>(lines);
        lines.clear();
        return taken;
    }
}
