package dev.flinksidecar.sidecar.window;

/**
 * One open window of one key: its bounds, the rule's accumulator and the number of events in it.
 * This is all the memory a window takes (no events are kept).
 */
final class WindowSlot {

    final long start;
    final long end;
    Object accumulator;
    long count;

    WindowSlot(long start, long end, Object accumulator, long count) {
        this.start = start;
        this.end = end;
        this.accumulator = accumulator;
        this.count = count;
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ") count " + count;
    }
}
