package dev.flinksidecar.operator;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames a session sent since its last acknowledged checkpoint barrier: what a new session must
 * be given again, after the windowed state of that barrier, to stand where the broken one stood.
 * Bounded in bytes; past the bound it lets go of the frames and only remembers that sending them
 * again is no longer possible, until the next acknowledged barrier makes the log empty again.
 *
 * <p>Why since the last <em>acknowledged barrier</em> rather than the last completed checkpoint: at
 * the acknowledgement the operator has written the sidecar's state of that barrier into Flink keyed
 * state, which is then the state a new session starts from (whatever becomes of the checkpoint
 * itself), so nothing older is needed. Task thread only.
 */
public final class ResendLog {

    private final long maxBytes;
    private final List<byte[]> frames = new ArrayList<>();
    private long bytes;
    private long firstSequence;
    private int batches;
    private long overflowBytes;

    ResendLog(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Keeps one sent EventBatch frame. */
    void batch(long sequence, byte[] frame) {
        if (batches == 0 && overflowBytes == 0) {
            firstSequence = sequence;
        }
        batches++;
        keep(frame);
    }

    /** Keeps one sent CheckpointBarrier frame (re-sent when its acknowledgement never came). */
    void barrier(byte[] frame) {
        keep(frame);
    }

    private void keep(byte[] frame) {
        if (overflowBytes > 0) {
            overflowBytes += frame.length;
            return;
        }
        if (bytes + frame.length > maxBytes) {
            overflowBytes = bytes + frame.length;
            frames.clear();
            bytes = 0;
            return;
        }
        frames.add(frame);
        bytes += frame.length;
    }

    /** The barrier was acknowledged: nothing sent up to it is needed any more. */
    void clear() {
        frames.clear();
        bytes = 0;
        batches = 0;
        overflowBytes = 0;
    }

    /** Whether everything since the last acknowledged barrier is still here. */
    public boolean complete() {
        return overflowBytes == 0;
    }

    /** Bytes sent since the last acknowledged barrier (kept or, past the bound, only counted). */
    public long bytesSinceBarrier() {
        return overflowBytes > 0 ? overflowBytes : bytes;
    }

    /** The bound. */
    public long maxBytes() {
        return maxBytes;
    }

    /** EventBatches kept. */
    public int batches() {
        return batches;
    }

    /** The sequence number of the first kept EventBatch; meaningful when {@link #batches()} > 0. */
    long firstSequence() {
        return firstSequence;
    }

    /** The kept frames in sending order. */
    List<byte[]> frames() {
        return frames;
    }
}
