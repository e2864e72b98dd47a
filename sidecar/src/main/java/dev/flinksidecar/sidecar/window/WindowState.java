package dev.flinksidecar.sidecar.window;

/**
 * One open window of one key as a checkpoint holds it: bounds, the number of events aggregated, the
 * accumulator, and whether its end - 1 timer has fired already (so that a restored window fires on
 * the watermark exactly when it would have in the first run, and not again). With an allowed
 * lateness of zero a window never outlives its firing, so {@code fired} is false.
 *
 * <p>Immutable (the accumulator is the rule's object, handed over to the windows it is restored
 * into); only the window engine reads it.
 */
public final class WindowState {

    final long start;
    final long end;
    final long count;
    final boolean fired;
    final Object accumulator;

    public WindowState(long start, long end, long count, boolean fired, Object accumulator) {
        this.start = start;
        this.end = end;
        this.count = count;
        this.fired = fired;
        this.accumulator = accumulator;
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ") count " + count + (fired ? " fired" : "");
    }
}
