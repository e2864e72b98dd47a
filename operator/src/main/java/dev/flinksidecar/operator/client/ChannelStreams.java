package dev.flinksidecar.operator.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Blocking streams over a connected {@link SocketChannel}, for {@link SidecarClient}.
 *
 * <p>Not {@link java.nio.channels.Channels#newInputStream}: on Java 17 its streams take the
 * channel's blocking lock for every read and write, so a reader thread blocked in a read would stop
 * the task thread from writing. These call the channel directly; a channel takes one reader and one
 * writer at the same time.
 *
 * <p>Both move at most {@value #CHUNK} bytes per call: the JDK copies a heap array through a
 * temporary direct buffer as large as the request, and keeps that buffer per thread.
 */
final class ChannelStreams {

    static final int CHUNK = 64 * 1024;

    private ChannelStreams() {}

    /** The reading side; until {@link Input#readWithin} it blocks without a deadline. */
    static final class Input extends InputStream {

        private final SocketChannel channel;

        /** Set while reads have a deadline (the channel is then non-blocking). */
        private Selector selector;

        private long deadlineNanos;

        Input(SocketChannel channel) {
            this.channel = channel;
        }

        /**
         * Switches to reads that fail with {@link SocketTimeoutException} once {@code timeout} has
         * passed, until {@link #blocking()}. The thread that reads calls both.
         */
        void readWithin(Duration timeout) throws IOException {
            deadlineNanos = System.nanoTime() + timeout.toNanos();
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        /** Back to plain blocking reads (nothing to do once the channel is closed). */
        void blocking() throws IOException {
            if (selector != null) {
                selector.close(); // deregisters the channel, which may then block again
                selector = null;
                if (channel.isOpen()) {
                    channel.configureBlocking(true);
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            ByteBuffer target = ByteBuffer.wrap(buffer, offset, Math.min(length, CHUNK));
            if (selector == null) {
                return channel.read(target);
            }
            while (true) {
                int n = channel.read(target);
                if (n != 0) {
                    return n;
                }
                long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    throw new SocketTimeoutException("read timed out");
                }
                selector.select(leftMs);
                selector.selectedKeys().clear();
            }
        }
    }

    /**
     * The writing side: each write returns once all its bytes are in the socket. It tells {@code
     * watchdog} when a write starts, moves bytes and ends.
     */
    static final class Output extends OutputStream {

        private final SocketChannel channel;
        private final WriteWatchdog watchdog;

        Output(SocketChannel channel, WriteWatchdog watchdog) {
            this.channel = channel;
            this.watchdog = watchdog;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            watchdog.writing();
            try {
                int done = 0;
                while (done < length) {
                    ByteBuffer source =
                            ByteBuffer.wrap(bytes, offset + done, Math.min(CHUNK, length - done));
                    while (source.hasRemaining()) {
                        done += channel.write(source);
                        watchdog.wrote();
                    }
                }
            } finally {
                watchdog.written();
            }
        }
    }
}
