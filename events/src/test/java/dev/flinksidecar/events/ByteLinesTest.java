package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteLinesTest {

    @Test
    void endsLinesAsBufferedReaderDoesWhereverTheReadsAreCut() throws IOException {
        String text = "a\nbb\r\nccc\rd\r\r\n\ne";
        for (int chunk = 1; chunk <= text.length(); chunk++) {
            assertThat(lines(new Chunked(text.getBytes(StandardCharsets.UTF_8), chunk), 1 << 20))
                    .as("reads of %d bytes", chunk)
                    .containsExactly("a", "bb", "ccc", "d", "", "", "e");
        }
        assertThat(lines(new ByteArrayInputStream("x\n".getBytes(StandardCharsets.UTF_8)), 1 << 20))
                .containsExactly("x");
        assertThat(lines(new ByteArrayInputStream(new byte[0]), 1 << 20)).isEmpty();
    }

    @Test
    void aLineLongerThanTheLimitKeepsItsFirstBytesAndTheNextLinesFollow() throws IOException {
        String longLine = "x".repeat(ByteLines.PREVIEW_BYTES) + "y".repeat(5000);
        String text = "first\n" + longLine + "\r\nlast\n";
        for (int chunk : new int[] {1, 7, 4096, 1 << 16}) {
            List<String> lines = new ArrayList<>();
            ByteLines reader =
                    new ByteLines(new Chunked(text.getBytes(StandardCharsets.UTF_8), chunk), 2048);
            List<Boolean> tooLong = new ArrayList<>();
            while (reader.next()) {
                lines.add(
                        new String(
                                reader.buffer(),
                                reader.lineStart(),
                                reader.lineLength(),
                                StandardCharsets.UTF_8));
                tooLong.add(reader.tooLong());
            }
            assertThat(lines)
                    .as("reads of %d bytes", chunk)
                    .containsExactly("first", "x".repeat(ByteLines.PREVIEW_BYTES), "last");
            assertThat(tooLong).containsExactly(false, true, false);
        }
    }

    /**
     * Lines of random lengths and bytes (tabs and other controls, and bytes past ASCII whose low
     * seven bits are a line break, which the word-at-a-time search must pass over), across the
     * buffer's 64 KiB and the reads' edges: split as BufferedReader splits them.
     */
    @Test
    void randomLinesAcrossBufferEdgesAreSplitAsBufferedReaderSplitsThem() throws IOException {
        Random random = new Random(5);
        byte[] alphabet = {
            'a', '{', '"', ' ', '\t', 0x0B, 0x0C, 0x0E, 0x00, (byte) 0x8A, (byte) 0x8D
        };
        String[] breaks = {"\n", "\r", "\r\n"};
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (out.size() < 300_000) {
            int length = random.nextInt(8) == 0 ? random.nextInt(5000) : random.nextInt(200);
            for (int i = 0; i < length; i++) {
                out.write(alphabet[random.nextInt(alphabet.length)]);
            }
            out.writeBytes(breaks[random.nextInt(breaks.length)].getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes("no break at the end".getBytes(StandardCharsets.UTF_8));
        byte[] text = out.toByteArray();
        List<String> expected = new ArrayList<>();
        try (java.io.BufferedReader reader =
                new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                                new ByteArrayInputStream(text), StandardCharsets.ISO_8859_1))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                expected.add(line);
            }
        }
        for (int chunk : new int[] {1 << 20, 1 << 16, 4093, 8}) {
            List<String> lines = new ArrayList<>();
            ByteLines reader = new ByteLines(new Chunked(text, chunk), 1 << 20);
            while (reader.next()) {
                lines.add(
                        new String(
                                reader.buffer(),
                                reader.lineStart(),
                                reader.lineLength(),
                                StandardCharsets.ISO_8859_1));
            }
            assertThat(lines).as("reads of %d bytes", chunk).isEqualTo(expected);
        }
    }

    private static List<String> lines(InputStream in, int max) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteLines reader = new ByteLines(in, max);
        while (reader.next()) {
            lines.add(
                    new String(
                            reader.buffer(),
                            reader.lineStart(),
                            reader.lineLength(),
                            StandardCharsets.UTF_8));
        }
        return lines;
    }

    /** Hands out at most {@code chunk} bytes a read. */
    static final class Chunked extends InputStream {
        private final byte[] bytes;
        private final int chunk;
        private int pos;

        Chunked(byte[] bytes, int chunk) {
            this.bytes = bytes;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
