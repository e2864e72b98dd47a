package dev.flinksidecar.sidecar.rules.loading;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;

/**
 * The inflated bytes of one jar entry as they are read: counted against {@link JarLimits} (the
 * entry's size, its ratio to its compressed size, the jar's total) and summed into a CRC. Passing a
 * limit fails the read at once with {@link LimitPassed}, so a zip bomb costs at most the limit's
 * worth of inflating, never memory.
 */
final class InflationGuard extends FilterInputStream {

    /** A limit was passed; the message names the entry, what it reached and the limit. */
    static final class LimitPassed extends IOException {
        private static final long serialVersionUID = 1L;

        LimitPassed(String message) {
            super(message);
        }
    }

    private final String entry;
    private final long compressedSize;
    private final JarLimits limits;
    private final long inflatedBefore;
    private final CRC32 crc = new CRC32();
    private long read;

    /**
     * @param compressedSize the entry's compressed size from the jar's directory (what the entry
     *     can read from the file), or -1 when unknown
     * @param inflatedBefore the inflated bytes of the jar's entries read before this one
     */
    InflationGuard(
            InputStream in,
            String entry,
            long compressedSize,
            JarLimits limits,
            long inflatedBefore) {
        super(in);
        this.entry = entry;
        this.compressedSize = compressedSize;
        this.limits = limits;
        this.inflatedBefore = inflatedBefore;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            crc.update(b);
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            crc.update(buffer, offset, n);
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(0, n))];
        long skipped = 0;
        while (skipped < n) {
            int got = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (got < 0) {
                break;
            }
            skipped += got;
        }
        return skipped;
    }

    /** Reads what is left of the entry (for its CRC and the limits). */
    void drain() throws IOException {
        byte[] buffer = new byte[8192];
        while (read(buffer, 0, buffer.length) >= 0) {
            // counted and summed by read
        }
    }

    /** The inflated bytes read so far. */
    long bytesRead() {
        return read;
    }

    /** The CRC-32 of the bytes read so far. */
    long crc() {
        return crc.getValue();
    }

    private void count(int n) throws LimitPassed {
        read += n;
        if (read > limits.maxEntryBytes()) {
            throw new LimitPassed(
                    "entry "
                            + entry
                            + " inflates to more than "
                            + limits.maxEntryBytes()
                            + " bytes, the limit for one entry ("
                            + JarLimits.MAX_ENTRY_BYTES_OPTION
                            + ")");
        }
        if (compressedSize > 0
                && read > JarLimits.RATIO_FROM_BYTES
                && read > compressedSize * limits.maxEntryRatio()) {
            throw new LimitPassed(
                    "entry "
                            + entry
                            + " inflates from "
                            + compressedSize
                            + " to more than "
                            + read
                            + " bytes, a ratio over the limit of "
                            + limits.maxEntryRatio()
                            + " (a zip bomb? "
                            + JarLimits.MAX_ENTRY_RATIO_OPTION
                            + ")");
        }
        if (inflatedBefore + read > limits.maxInflatedBytes()) {
            throw new LimitPassed(
                    "its entries inflate to more than "
                            + limits.maxInflatedBytes()
                            + " bytes in all, reached at entry "
                            + entry
                            + " (limit: "
                            + JarLimits.MAX_INFLATED_BYTES_OPTION
                            + ")");
        }
    }
}
