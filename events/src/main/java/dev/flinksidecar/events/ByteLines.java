package dev.flinksidecar.events;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a stream as bytes, undecoded: a line ends at {@code \n}, {@code \r} or {@code \r\n},
 * as {@link java.io.BufferedReader#readLine} ends them, so line numbers stay what they were when
 * lines were read as text. A line longer than the limit ({@link #MAX_LINE_BYTES} unless given) is
 * not kept: its first {@link #PREVIEW_BYTES} bytes are, and the rest up to the next line break is
 * read past in buffer-sized steps, so neither a long line nor a file without line breaks is ever
 * held whole: the buffer grows to the limit at most. One thread.
 */
final class ByteLines {

    /** The longest line kept whole unless another limit is given: 1 MiB. */
    static final int MAX_LINE_BYTES = 1 << 20;

    /**
     * How much of a longer line is kept, to show in its dead letter (all of the limit, when it is
     * lower).
     */
    static final int PREVIEW_BYTES = 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final int previewBytes;
    private byte[] buffer;
    private int start; // the next line's first byte
    private int end; // bytes read up to here
    private boolean eof;
    private boolean skipLineFeed; // the last line ended at '\r': a '\n' right after belongs to it

    private int lineStart;
    private int lineLength;
    private boolean tooLong;
    private byte[] preview;

    ByteLines(InputStream in) {
        this(in, MAX_LINE_BYTES);
    }

    /**
     * @param maxLineBytes the longest line kept whole, 1 byte to {@link #MAX_LIMIT} (1 GiB)
     */
    ByteLines(InputStream in, int maxLineBytes) {
        checkLimit(maxLineBytes);
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.previewBytes = Math.min(PREVIEW_BYTES, maxLineBytes);
        this.buffer = new byte[Math.min(1 << 16, maxLineBytes + 1)];
    }

    /**
     * The highest limit: 1 GiB, so that the buffer (the limit and one byte) can always double
     * towards it.
     */
    static final int MAX_LIMIT = 1 << 30;

    /**
     * @throws IllegalArgumentException when {@code maxLineBytes} is not 1 to {@link #MAX_LIMIT}
     */
    static void checkLimit(long maxLineBytes) {
        if (maxLineBytes < 1 || maxLineBytes > MAX_LIMIT) {
            throw new IllegalArgumentException(
                    "the longest event line must be 1 to "
                            + MAX_LIMIT
                            + " bytes, not "
                            + maxLineBytes);
        }
    }

    /** Moves to the next line; false at the end of the stream. */
    boolean next() throws IOException {
        tooLong = false;
        if (skipLineFeed) {
            if (start == end && !fill()) {
                return false;
            }
            if (buffer[start] == '\n') {
                start++;
            }
            skipLineFeed = false;
        }
        int scanned = 0; // bytes of this line looked at already
        while (true) {
            // the longest line and its line break
            int limit = (int) Math.min(end, start + maxLineBytes + 1L);
            int i = Swar.lineBreak(buffer, start + scanned, limit);
            if (i < limit) {
                lineStart = start;
                lineLength = i - start;
                start = i + 1;
                skipLineFeed = buffer[i] == '\r';
                return true;
            }
            scanned = limit - start;
            if (scanned > maxLineBytes) {
                skipRestOfLine();
                return true;
            }
            if (!fill()) {
                if (start == end) {
                    return false;
                }
                lineStart = start;
                lineLength = end - start;
                start = end;
                return true;
            }
        }
    }

    /**
     * Reads more bytes, moving the current line to the buffer's front or growing it; false at the
     * end.
     */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        } else if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, maxLineBytes + 1));
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }

    /** Keeps the first bytes of a line longer than the limit and reads past its line break. */
    private void skipRestOfLine() throws IOException {
        tooLong = true;
        preview = Arrays.copyOfRange(buffer, start, start + previewBytes);
        lineLength = previewBytes;
        while (true) {
            int i = Swar.lineBreak(buffer, start, end);
            if (i < end) {
                start = i + 1;
                skipLineFeed = buffer[i] == '\r';
                return;
            }
            start = end;
            if (!fill()) {
                return;
            }
        }
    }

    /** The buffer holding the current line, valid until the next call of {@link #next}. */
    byte[] buffer() {
        return tooLong ? preview : buffer;
    }

    int lineStart() {
        return tooLong ? 0 : lineStart;
    }

    /**
     * The current line's length, without its line break (the preview's, when {@link #tooLong()}).
     */
    int lineLength() {
        return lineLength;
    }

    /** True when the current line was longer than the limit and only its first bytes are held. */
    boolean tooLong() {
        return tooLong;
    }

    int maxLineBytes() {
        return maxLineBytes;
    }
}
