package dev.flinksidecar.sidecar.window;

import java.io.IOException;

/**
 * Receives the open windows of one key, by start, when a checkpoint writes them ({@link
 * EventTimeWindows#forEachWindow}); the fields are those of {@link WindowState}, passed without an
 * object per window.
 */
@FunctionalInterface
public interface WindowVisitor {

    void window(long start, long end, long count, boolean fired, Object accumulator)
            throws IOException;
}
