package dev.flinksidecar.sidecar.replay;

import dev.flinksidecar.proto.EventBatch;
import java.io.IOException;

/**
 * What a {@link Replay} hands the input to, in input order, on the replay's thread: {@link
 * ResultFiles} (one rule set, its result files) or {@link LockstepDiff} (two rule sets, their
 * differences).
 */
interface ReplayTarget {

    /**
     * The next batch of events with its interim watermarks (one after each event that advanced it);
     * the last batch of the input has the final watermark {@code Long.MAX_VALUE}.
     */
    void batch(EventBatch events) throws IOException;

    /** A line of the input that is not an event, as its dead-letter line; already counted. */
    void malformed(String deadLetter) throws IOException;
}
