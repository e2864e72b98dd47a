package dev.flinksidecar.sidecar.diff;

import java.io.IOException;

/** Where {@link ResultDiffer} puts each difference as it finds it, e.g. a JSON Lines file. */
@FunctionalInterface
public interface DifferenceSink {

    /** Takes one difference; called on the differ's thread, in the order they are found. */
    void accept(Difference difference) throws IOException;
}
